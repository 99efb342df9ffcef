import { test, expect, type Browser, type Page } from '@playwright/test';
import { FOREIGN_URL, HERALD_URL as HERALD } from '../playwright.config';
import { audit } from './a11y';
import { README_SHOTS, centre, loginAs, send } from './helpers';

// <herald-bell> on another site (foreign/server.mjs on another port), with
// tokens that site's backend mints through Herald's API.

let configured = false;
let apiKey = '';

/** Makes an API key on the admin page and gives it to the other site. */
async function configureForeignSite(browser: Browser): Promise<void> {
  if (configured) return;
  const admin = await loginAs(browser, 'admin');
  const res = await admin.request.post('/api/admin/api-keys/create', {
    headers: { accept: 'application/json' },
    form: { name: 'Shop' },
  });
  expect(res.ok()).toBeTruthy();
  const key = await res.json();
  apiKey = key;
  const done = await admin.request.post(`${FOREIGN_URL}/configure`, { data: { key } });
  expect(done.ok()).toBeTruthy();
  await admin.context().close();
  configured = true;
}

async function shop(browser: Browser, user: string, { origin = FOREIGN_URL, ttl = 300 } = {}): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${origin}/?user=${user}&ttl=${ttl}`);
  return page;
}

const bell = (page: Page) => page.locator('herald-bell');
const badge = (page: Page) => bell(page).locator('[part=badge]');
const live = (page: Page) => expect(bell(page)).toHaveAttribute('data-link', 'live');

/** An admin sends `title` to the shop's `user` from Herald's admin page. */
async function adminSend(page: Page, user: string, title: string): Promise<void> {
  const admin = await loginAs(page.context().browser()!, 'admin');
  await admin.goto('/admin');
  await send(admin, `ext:${user}`, title);
  await admin.context().close();
}

test('an embedded bell counts up live on another site, and its panel reads, marks and archives', async ({ browser }) => {
  await configureForeignSite(browser);
  const page = await shop(browser, 'shopper');
  await live(page);
  await expect(badge(page)).toBeHidden();

  await adminSend(page, 'shopper', 'Your order shipped');
  await expect(badge(page)).toHaveText('1');
  await adminSend(page, 'shopper', 'Your order arrived');
  await expect(badge(page)).toHaveText('2');
  await expect(bell(page).getByRole('button', { name: 'Notifications, 2 unread' })).toBeVisible();

  // Keyboard: open with Enter, close with Escape back to the bell.
  await bell(page).getByRole('button', { name: /Notifications/ }).focus();
  await page.keyboard.press('Enter');
  const panel = bell(page).getByRole('dialog', { name: 'Notifications' });
  await expect(panel).toBeVisible();
  await expect(panel.locator('[part=title]')).toHaveText(['Your order arrived', 'Your order shipped']);
  await page.screenshot({ path: `${README_SHOTS}/embedded-bell.png`, animations: 'disabled' });
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(bell(page).getByRole('button', { name: /Notifications/ })).toBeFocused();

  await bell(page).getByRole('button', { name: /Notifications/ }).click();
  await panel.getByRole('button', { name: 'Mark read: Your order shipped' }).click();
  await expect(badge(page)).toHaveText('1');
  await panel.getByRole('button', { name: 'Archive: Your order shipped' }).click();
  await expect(panel.locator('[part=title]')).toHaveText(['Your order arrived']);
  // Snoozed: out of the panel and the count (it comes back in an hour).
  await panel.getByRole('button', { name: 'Snooze 1 h: Your order arrived' }).click();
  await expect(panel).toContainText('Nothing here yet.');
  await expect(badge(page)).toBeHidden();
  await adminSend(page, 'shopper', 'Your invoice');
  await expect(badge(page)).toHaveText('1');
  await panel.getByRole('button', { name: 'Mark all read' }).click();
  await expect(badge(page)).toBeHidden();
  await expect(bell(page).getByRole('button', { name: 'Notifications' })).toBeVisible();
});

test('the embedded bell shows a group as one row, counted once and read as one', async ({ browser }) => {
  await configureForeignSite(browser);
  const page = await shop(browser, 'grouper');
  await live(page);
  for (const actor of ['Ana', 'Bo', 'Cy']) {
    const res = await fetch(`${HERALD}/api/v1/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        recipients: [{ external_id: 'grouper' }],
        title: `${actor} replied to your review`,
        actor,
        group_key: 'review:5:replies',
      }),
    });
    expect(res.status).toBe(201);
  }
  await expect(badge(page)).toHaveText('1');
  await bell(page).getByRole('button', { name: /Notifications/ }).click();
  const panel = bell(page).getByRole('dialog', { name: 'Notifications' });
  await expect(panel.locator('[part=title]')).toHaveText(['Cy replied to your review']);
  await expect(panel.locator('[part=group] summary')).toHaveText('and 2 more · Cy, Bo and Ana');
  await panel.locator('[part=group] summary').click();
  await expect(panel.locator('[part=group] li')).toHaveCount(2);
  await page.screenshot({ path: `${README_SHOTS}/embedded-bell-grouped.png`, animations: 'disabled' });
  await panel.getByRole('button', { name: 'Mark read: Cy replied to your review' }).click();
  await expect(badge(page)).toBeHidden();
  await expect(panel.locator('[part=item]')).toHaveCount(1);
  await expect(panel.locator('[part=item].unread')).toHaveCount(0);
  await page.context().close();
});

test('the embedded bell passes axe-core (WCAG 2.1 A and AA) closed and open, in light and dark', async ({ browser }) => {
  await configureForeignSite(browser);
  const page = await shop(browser, 'auditor');
  await live(page);
  await adminSend(page, 'auditor', 'Your order shipped');
  await expect(badge(page)).toHaveText('1');
  await audit(page, '<herald-bell> closed', 'herald-bell');
  await bell(page).getByRole('button', { name: /Notifications/ }).click();
  await expect(bell(page).locator('[part=item]')).toHaveCount(1);
  await audit(page, '<herald-bell> open', 'herald-bell');
  await page.context().close();
});

test('the embedded bell speaks the page\'s language: German complete, times by the platform', async ({ browser }) => {
  await configureForeignSite(browser);
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${FOREIGN_URL}/?user=kunde&lang=de`);
  await live(page);
  // Every language has every message English has (and each plural's
  // forms), and no other: a key missing in either fails here.
  const catalogue = await page.evaluate(() => {
    const all = (customElements.get('herald-bell') as any).messages as Record<string, Record<string, unknown>>;
    const shape = (m: Record<string, unknown>) =>
      Object.entries(m).map(([k, v]) => (typeof v === 'object' ? `${k}:${Object.keys(v as object).sort()}` : k)).sort();
    return Object.fromEntries(Object.entries(all).map(([lang, m]) => [lang, shape(m)]));
  });
  expect(Object.keys(catalogue).sort()).toEqual(['de', 'en']);
  expect(catalogue.de).toEqual(catalogue.en);

  await expect(bell(page).getByRole('button', { name: 'Benachrichtigungen' })).toBeVisible();
  for (const actor of ['Ana', 'Bo', 'Cy']) {
    const res = await fetch(`${HERALD}/api/v1/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        recipients: [{ external_id: 'kunde' }],
        title: `${actor} hat Ihre Bewertung kommentiert`,
        actor,
        group_key: 'review:9:replies',
      }),
    });
    expect(res.status).toBe(201);
  }
  await adminSend(page, 'kunde', 'Your order shipped'); // the sender's words stay as sent
  await expect(bell(page).getByRole('button', { name: 'Benachrichtigungen, 2 ungelesen' })).toBeVisible();
  await bell(page).getByRole('button', { name: /Benachrichtigungen/ }).click();
  const panel = bell(page).getByRole('dialog', { name: 'Benachrichtigungen' });
  await expect(panel.getByRole('button', { name: 'Alle als gelesen markieren' })).toBeVisible();
  await expect(panel.locator('[part=title]')).toHaveText(['Your order shipped', 'Cy hat Ihre Bewertung kommentiert']);
  await expect(panel.locator('[part=group] summary')).toHaveText('und 2 weitere · Cy, Bo und Ana');
  await expect(panel.getByRole('button', { name: 'Als gelesen markieren: Your order shipped' })).toBeVisible();
  await expect(panel.getByRole('button', { name: '1 Std. zurückstellen: Your order shipped' })).toBeVisible();
  // "jetzt", from Intl.RelativeTimeFormat, not English words.
  await expect(panel.locator('.meta span').first()).toHaveText('jetzt');
  await panel.locator('[part=group] summary').click();
  await page.screenshot({ path: `${README_SHOTS}/embedded-bell-de.png`, animations: 'disabled' });
  // `lang` on the element overrides the page's.
  await bell(page).evaluate((b) => b.setAttribute('lang', 'en'));
  const english = bell(page).getByRole('dialog', { name: 'Notifications' });
  await expect(english.getByRole('button', { name: 'Mark all read' })).toBeVisible();
  await expect(english.locator('[part=group] summary')).toHaveText('and 2 more · Cy, Bo and Ana');
  await page.context().close();
});

test('the embedded bell follows the page\'s writing direction', async ({ browser }) => {
  await configureForeignSite(browser);
  const page = await shop(browser, 'rtl-reader');
  await live(page);
  await adminSend(page, 'rtl-reader', 'Read from the right');
  await expect(badge(page)).toHaveText('1');
  const button = bell(page).getByRole('button', { name: /Notifications/ });
  expect(await centre(badge(page))).toBeGreaterThan(await centre(button));
  await page.evaluate(() => document.documentElement.setAttribute('dir', 'rtl'));
  await expect.poll(async () => (await centre(badge(page))) < (await centre(button))).toBe(true);
  await button.click();
  const panel = bell(page).getByRole('dialog', { name: 'Notifications' });
  await expect(panel).toBeVisible();
  const host = (await bell(page).boundingBox())!;
  expect(Math.abs((await panel.boundingBox())!.x - host.x)).toBeLessThan(1);
  await page.context().close();
});

test('the embedded bell works on a page with a strict CSP and tells the page what happens', async ({ browser }) => {
  await configureForeignSite(browser);
  const page = await (await browser.newContext()).newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  await page.goto(`${FOREIGN_URL}/?user=careful&csp=strict`);
  await live(page);
  // The page's own script heard the events the element dispatched.
  await expect(page.locator('#live')).toHaveText('live');
  await expect(page.locator('#unread')).toHaveText('unread 0');
  await adminSend(page, 'careful', 'Strictly delivered');
  await expect(badge(page)).toHaveText('1');
  await expect(page.locator('#unread')).toHaveText('unread 1');
  await expect(page.locator('#news')).toHaveText('new: Strictly delivered');
  // Styled although the policy allows no inline style: the panel floats.
  await bell(page).getByRole('button', { name: /Notifications/ }).click();
  const panel = bell(page).getByRole('dialog', { name: 'Notifications' });
  await expect(panel.locator('[part=title]')).toHaveText(['Strictly delivered']);
  await expect(panel).toHaveCSS('position', 'absolute');
  await expect(badge(page)).toHaveCSS('background-color', 'rgb(225, 29, 72)');
  expect(violations).toEqual([]);
  await page.context().close();
});

test('the embedded bell renews its token through token-url and stays live', async ({ browser }) => {
  await configureForeignSite(browser);
  const stats = async (page: Page) =>
    ((await (await page.request.get(`${FOREIGN_URL}/stats`)).json()) as Record<string, number>)['renewer'] ?? 0;
  // A two-second token: renewed before it expires, and the socket the
  // server closes at expiry resumes on the new one.
  const page = await shop(browser, 'renewer', { ttl: 2 });
  await live(page);
  const first = await stats(page);
  await expect.poll(() => stats(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(first + 2);
  await live(page);
  await adminSend(page, 'renewer', 'Still here');
  await expect(badge(page)).toHaveText('1');
  await page.context().close();
});

test("another user's token never shows this user's notifications", async ({ browser }) => {
  await configureForeignSite(browser);
  const mine = await shop(browser, 'owner');
  const theirs = await shop(browser, 'bystander');
  await live(mine);
  await live(theirs);
  await adminSend(mine, 'owner', 'Private to owner');
  await expect(badge(mine)).toHaveText('1');
  await bell(theirs).getByRole('button', { name: /Notifications/ }).click();
  const panel = bell(theirs).getByRole('dialog');
  await expect(panel).toContainText('Nothing here yet.');
  await expect(panel).not.toContainText('Private to owner');
  await expect(badge(theirs)).toBeHidden();
});

test('a site whose origin is not allowed cannot read the notifications', async ({ browser }) => {
  await configureForeignSite(browser);
  // Same server, another origin: not in HERALD_ALLOWED_ORIGINS.
  const page = await shop(browser, 'shopper', { origin: FOREIGN_URL.replace('127.0.0.1', 'localhost') });
  await bell(page).getByRole('button', { name: /Notifications/ }).click();
  await expect(bell(page).getByRole('alert')).toContainText('Cannot load notifications');
});

test('where sockets are blocked the embedded bell falls back to server-sent events', async ({ browser }) => {
  await configureForeignSite(browser);
  const context = await browser.newContext();
  // A network that lets the handshake through but never a message.
  await context.routeWebSocket(/\/ws\?token=/, (ws) => ws.close());
  const page = await context.newPage();
  const stream = page.waitForRequest((r) => r.url().includes('/events?token='), { timeout: 20_000 });
  await page.goto(`${FOREIGN_URL}/?user=streamer`);
  await stream;
  await live(page);
  await adminSend(page, 'streamer', 'Over SSE');
  await expect(badge(page)).toHaveText('1');
  await bell(page).getByRole('button', { name: /Notifications/ }).click();
  await expect(bell(page).locator('[part=title]')).toHaveText(['Over SSE']);
});

test('the embedded panel shows a notification\'s actions; a click is recorded and calls the webhook', async ({ browser }) => {
  await configureForeignSite(browser);
  const page = await shop(browser, 'buyer');
  await live(page);
  const created = await fetch(`${HERALD}/api/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      recipients: [{ external_id: 'buyer' }],
      title: 'Confirm your address',
      actions: [{ label: 'Looks right', webhook: `${FOREIGN_URL}/hooks/address` }],
    }),
  });
  expect(created.status).toBe(201);
  await expect(badge(page)).toHaveText('1');
  await bell(page).getByRole('button', { name: /Notifications/ }).click();
  await expect(bell(page).getByRole('button', { name: 'Looks right' })).toBeVisible();
  await page.screenshot({ path: 'screenshots/embedded-actions.png', animations: 'disabled' });
  await bell(page).getByRole('button', { name: 'Looks right' }).click();
  await expect(bell(page).locator('.done')).toHaveText('✓ Looks right');
  await page.screenshot({ path: 'screenshots/embedded-acted.png', animations: 'disabled' });
  await expect(badge(page)).toBeHidden();
  await expect
    .poll(async () => (await (await fetch(`${FOREIGN_URL}/hooks`)).json()).filter((h: any) => h.path === '/hooks/address'))
    .toEqual([expect.objectContaining({ verified: true, body: expect.objectContaining({ user: { id: expect.any(Number), external_id: 'buyer' } }) })]);

  // Two webhook actions are one choice: the other shows closed.
  const choice = await fetch(`${HERALD}/api/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      recipients: [{ external_id: 'buyer' }],
      title: 'Pick a delivery slot',
      actions: [
        { label: 'Morning', webhook: `${FOREIGN_URL}/hooks/morning` },
        { label: 'Evening', webhook: `${FOREIGN_URL}/hooks/evening` },
      ],
    }),
  });
  expect(choice.status).toBe(201);
  const slot = bell(page).locator('[part=item]', { hasText: 'Pick a delivery slot' });
  await slot.getByRole('button', { name: 'Evening' }).click();
  await expect(slot.locator('.done')).toHaveText('✓ Evening');
  await expect(slot.locator('.closed')).toHaveText('Morning (not chosen)');
  await expect(slot.getByRole('button', { name: 'Morning' })).toHaveCount(0);
  await page.screenshot({ path: 'screenshots/embedded-chosen.png', animations: 'disabled' });
  await page.context().close();
});

test('a snooze and an expiry change the embedded count live at their time', async ({ browser }) => {
  await configureForeignSite(browser);
  const page = await shop(browser, 'sleeper');
  await live(page);
  const send = async (body: object) => {
    const res = await fetch(`${HERALD}/api/v1/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ recipients: [{ external_id: 'sleeper' }], ...body }),
    });
    expect(res.status).toBe(201);
    return (await res.json()).notifications[0].id as number;
  };
  // Gone from the count at its expiry, two seconds on: no waiting but for the change.
  await send({ title: 'Flash sale, two seconds only', expires_at: Date.now() + 3_000 });
  await expect(badge(page)).toHaveText('1');
  await expect(badge(page)).toBeHidden({ timeout: 10_000 });

  // Snoozed for two seconds with the user's token: out of the count, then back.
  const id = await send({ title: 'Reply to Bob' });
  await expect(badge(page)).toHaveText('1');
  const { token } = await (await fetch(`${FOREIGN_URL}/token?user=sleeper`)).json();
  const snoozed = await fetch(`${HERALD}/api/v1/me/notifications/${id}/snooze?until=${Date.now() + 2_000}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(snoozed.status).toBe(204);
  await expect(badge(page)).toBeHidden();
  await expect(badge(page)).toHaveText('1', { timeout: 10_000 });
  await page.context().close();
});
