import { test, expect, type Page } from '@playwright/test';
import { createDecipheriv, createECDH, createHmac, randomBytes } from 'node:crypto';
import { FOREIGN_URL } from '../playwright.config';
import { logIn, waitLive, waitHydrated } from './helpers';
import { Api, Herald } from './server';

// "Notify me on this device": the switch registers the service worker and
// subscribes with Herald's key. Headless Chromium has no push service of
// its own, so the subscription the page gets points at the other site's
// stand-in (foreign/server.mjs), with keys this test holds — the page, the
// service worker registration and Herald are all real.
// The stand-in push service is plain http on localhost.
const herald = Herald.fresh(3460, '.data-push', { HERALD_PUSH_ALLOW_LOCAL: 'true' });
test.describe.configure({ mode: 'serial' });
let admin: Api;
test.beforeAll(async () => {
  await herald.start();
  admin = await herald.api('admin');
});
test.afterAll(async () => {
  await admin.dispose();
  await herald.stop();
});

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** RFC 8291 (aes128gcm) decryption, written here independently of Herald's. */
function decrypt(body: Buffer, device: ReturnType<typeof createECDH>, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20];
  const serverKey = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const shared = device.computeSecret(serverKey);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), device.getPublicKey(), serverKey, Buffer.from([1])]);
  const ikm = hmac(hmac(auth, shared), info).subarray(0, 32);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01', 'binary')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01', 'binary')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 2, then zero padding.
  return padded.subarray(0, padded.lastIndexOf(2)).toString('utf8');
}

test('the push switch subscribes this device, and what arrives with no tab open is pushed to it', async ({ browser }) => {
  const device = createECDH('prime256v1');
  device.generateKeys();
  const auth = randomBytes(16);
  const subscription = {
    endpoint: `${FOREIGN_URL}/push/alice-laptop`,
    keys: { p256dh: b64url(device.getPublicKey()), auth: b64url(auth) },
  };
  const context = await browser.newContext({ baseURL: herald.url });
  // The service worker's own notifications need the real permission.
  await context.grantPermissions(['notifications'], { origin: herald.url });
  await context.addInitScript((sub) => {
    // Permission granted, and a push service that answers with `sub`.
    Object.defineProperty(Notification, 'permission', { get: () => 'granted' });
    Notification.requestPermission = () => Promise.resolve('granted');
    // Kept per origin, as a browser keeps its subscription across pages
    // and sign-outs.
    const made = {
      ...sub,
      toJSON: () => sub,
      unsubscribe: () => (localStorage.removeItem('test-push-subscribed'), Promise.resolve(true)),
    };
    PushManager.prototype.subscribe = function (options: any) {
      (window as any).__applicationServerKey = new Uint8Array(options.applicationServerKey).length;
      localStorage.setItem('test-push-subscribed', '1');
      return Promise.resolve(made);
    };
    PushManager.prototype.getSubscription = () =>
      Promise.resolve(localStorage.getItem('test-push-subscribed') ? made : null);
  }, subscription);
  const page = await context.newPage();
  await logIn(page, 'alice');
  await page.goto('/settings');
  await waitLive(page);
  await waitHydrated(page, '.switches');
  const toggle = page.getByRole('switch', { name: 'Notify me on this device when no Herald tab is open' });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect(toggle).toBeChecked();
  await expect(page.getByRole('alert')).toHaveCount(0);
  // A real service worker, and Herald's 65-byte P-256 key.
  expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL)).toBe(
    `${herald.url}/sw.js`,
  );
  expect(await page.evaluate(() => (window as any).__applicationServerKey)).toBe(65);

  // No tab open (the service worker stays): the next notification goes to the device.
  await page.close();
  await expect.poll(() => admin.isOnline('alice')).toBe(false);
  await admin.send(await admin.userId('alice'), 'Deploy finished while you were away');
  const pushesTo = async (device: string) =>
    (await (await fetch(`${FOREIGN_URL}/pushes`)).json()).filter((p: any) => p.device === device);
  await expect.poll(() => pushesTo('alice-laptop'), { timeout: 15_000 }).toHaveLength(1);
  const [pushed] = await pushesTo('alice-laptop');
  expect(pushed.encoding).toBe('aes128gcm');
  expect(pushed.authorization).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]{87}$/);
  const shown = JSON.parse(decrypt(Buffer.from(pushed.body, 'base64'), device, auth));
  expect(shown.title).toBe('Deploy finished while you were away');
  expect(shown.url).toBe(`/notifications/${shown.id}/open`);

  // Delivered to Herald's real service worker (as the browser's push
  // service would, through DevTools), it shows a system notification whose
  // click opens the notification through Herald.
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  const registration = new Promise<string>((resolve) =>
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const ours = registrations.find((r: any) => r.scopeURL.startsWith(herald.url) && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    }),
  );
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin: herald.url,
    registrationId: await registration,
    data: decrypt(Buffer.from(pushed.body, 'base64'), device, auth),
  });
  await tab.goto('/settings');
  await expect
    .poll(() =>
      tab.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => [n.title, n.data?.url, n.tag]),
      ),
    )
    .toEqual([[shown.title, shown.url, `herald-${shown.id}`]]);

  // The switch shows what Herald does: on while it pushes here for alice;
  // after she signs out, the browser still holds its subscription, but for
  // bob, signed in next, the switch is off and nothing of hers comes.
  const onSwitch = (p: Page) => p.getByRole('switch', { name: 'Notify me on this device when no Herald tab is open' });
  await waitLive(tab);
  await waitHydrated(tab, '.switches');
  await expect(onSwitch(tab)).toBeChecked();
  await tab.getByRole('button', { name: 'Log out' }).click();
  await expect(tab.getByRole('button', { name: 'Log out' })).toHaveCount(0);
  await logIn(tab, 'bob');
  await tab.goto('/settings');
  await waitLive(tab);
  await waitHydrated(tab, '.switches');
  await expect(onSwitch(tab)).not.toBeChecked();
  expect(await tab.evaluate(async () =>
    (await (await navigator.serviceWorker.ready).pushManager.getSubscription()) !== null)).toBe(true);
  await context.close();
});
