// A TypeScript page using <herald-bell> through herald-bell.d.ts. Each
// `@ts-expect-error` is a mistake the types must catch: if a declaration
// loosens, tsc reports the unused directive and the check fails.
import type { HeraldBellElement, HeraldBellPart, HeraldBellCssProperty, HeraldNotification } from '../../public/embed/herald-bell';

const made = document.createElement('herald-bell');
const typed: HeraldBellElement = made;
typed.setAttribute('token-url', '/herald/token');
document.body.append(typed);

const found = document.querySelector('herald-bell');
if (found) {
  const origin: string = found.server;
  const unread: number = found.unread;
  const live: boolean = found.live;
  found.open();
  found.close();
  console.log(origin, unread, live);

  found.addEventListener('herald-unread', (e) => {
    const count: number = e.detail.unread;
    document.title = count ? `(${count}) Shop` : 'Shop';
  });
  found.addEventListener('herald-notification', (e) => {
    const n: HeraldNotification = e.detail.notification;
    const title: string = n.title;
    const read: number | null = n.read_at;
    console.log(title, read, n.category === 'mention', n.actions?.[0]?.label);
  });
  found.addEventListener('herald-live', (e) => console.log(e.detail.live ? 'live' : 'reconnecting'));
  found.addEventListener('herald-error', (e) => console.warn(e.detail.message));
  // Ordinary DOM events keep their own types.
  found.addEventListener('click', (e) => console.log(e.clientX));

  // @ts-expect-error the count is a number, not a string
  found.addEventListener('herald-unread', (e) => e.detail.unread.toUpperCase());
  // @ts-expect-error a notification's id is a number
  found.addEventListener('herald-notification', (e) => e.detail.notification.id.startsWith('x'));
  // @ts-expect-error the count is read-only: the server sets it
  found.unread = 3;
}

const part: HeraldBellPart = 'badge';
const property: HeraldBellCssProperty = '--herald-accent';
// @ts-expect-error not one of its parts
const wrongPart: HeraldBellPart = 'bubble';
console.log(part, property, wrongPart);
