// Herald's service worker: shows web pushes while no Herald tab is open,
// and opens the notification through Herald (which marks it read) when
// one is clicked. The payload is JSON: {id, title, body, tag, url}.
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: 'Herald', body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'Herald', {
      body: data.body || '',
      tag: data.tag,
      data: { url: data.url || '/notifications' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  // Only Herald's own paths: the payload came from Herald, but be sure.
  const path = String(event.notification.data?.url ?? '/notifications');
  const url = path.startsWith('/') && !path.startsWith('//') ? path : '/notifications';
  event.waitUntil(self.clients.openWindow(url));
});
