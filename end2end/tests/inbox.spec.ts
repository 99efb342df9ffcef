import { test, expect, type Browser, type Page } from '@playwright/test';
import { PASSWORD } from '../playwright.config';
import { README_SHOTS, bubble, expectNotReloaded, loginAs, markNoReload, waitLive } from './helpers';
import { Api, Herald } from './server';

// A Herald of its own, so counts start from zero.
const herald = Herald.fresh(3300, '.data-inbox');
test.describe.configure({ mode: 'serial' });
let admin: Api;
let aliceId: string;
test.beforeAll(async () => {
  await herald.start();
  admin = await herald.api('admin');
  aliceId = await admin.userId('alice');
});
test.afterAll(async () => {
  await admin.dispose();
  await herald.stop();
});

/** Logs in on this spec's own Herald. */
const login = (browser: Browser, username: string, javaScriptEnabled = true): Promise<Page> =>
  loginAs(browser, username, { baseURL: herald.url, javaScriptEnabled });

const panel = (page: Page) => page.locator('#bell-panel');
const bell = (page: Page) => page.locator('a.bell');

test('open the panel, read one: the bubble goes down and the title follows', async ({ browser }) => {
  for (const title of ['Deploy finished', 'Invoice paid', 'Bob mentioned you']) {
    await admin.send(aliceId, title);
  }
  const alice = await login(browser, 'alice');
  await waitLive(alice);
  await expect(bubble(alice)).toHaveText('3');
  await expect(alice).toHaveTitle('(3) Herald');

  await bell(alice).click();
  await expect(bell(alice)).toHaveAttribute('aria-expanded', 'true');
  await expect(panel(alice).locator('.item')).toHaveCount(3);
  await expect(panel(alice).locator('.item.unread')).toHaveCount(3);
  await panel(alice).screenshot({ path: 'screenshots/panel.png', animations: 'disabled' });
  await panel(alice).screenshot({ path: `${README_SHOTS}/panel.png`, animations: 'disabled' });

  await panel(alice).locator('.item', { hasText: 'Invoice paid' }).getByRole('button', { name: 'Mark read' }).click();
  await expect(bubble(alice)).toHaveText('2');
  await expect(panel(alice).locator('.item.unread')).toHaveCount(2);
  await expect(alice).toHaveTitle('(2) Herald');

  // A new one slides into the open panel, with a toast.
  await admin.send(aliceId, 'Fresh off the press');
  await expect(panel(alice).locator('.item').first()).toContainText('Fresh off the press');
  await expect(alice.locator('.toast')).toContainText('Fresh off the press');
  await expect(bubble(alice)).toHaveText('3');
  await alice.screenshot({ path: 'screenshots/panel-page.png', animations: 'disabled' });
});

test('mark all read in one tab empties the bubble in another', async ({ browser }) => {
  const tabA = await login(browser, 'alice');
  const tabB = await tabA.context().newPage();
  await tabB.goto('/');
  for (const tab of [tabA, tabB]) await waitLive(tab);
  await markNoReload(tabB);
  await expect(bubble(tabB)).toHaveText('3');

  await bell(tabA).click();
  await expect(panel(tabA).locator('.item')).toHaveCount(4);
  await panel(tabA).getByRole('button', { name: 'Mark all read' }).click();
  await expect(bubble(tabA)).toHaveCount(0);
  await expect(bubble(tabB)).toHaveCount(0, { timeout: 1_000 });
  await expect(tabB.locator('.feed .item.unread')).toHaveCount(0);
  await expectNotReloaded(tabB);
});

test('archive one and find it under Archived', async ({ browser }) => {
  await admin.send(aliceId, 'Tidy me away');
  const alice = await login(browser, 'alice');
  await alice.goto('/notifications?view=all');
  await waitLive(alice);
  const item = alice.locator('.feed .item', { hasText: 'Tidy me away' });
  await item.getByRole('button', { name: 'Archive' }).click();
  await expect(item).toHaveCount(0);
  await expect(bubble(alice)).toHaveCount(0);

  await alice.getByRole('link', { name: 'Archived' }).click();
  await expect(alice).toHaveURL(/view=archived/);
  const archived = alice.locator('.feed .item', { hasText: 'Tidy me away' });
  await expect(archived).toHaveCount(1);
  await alice.screenshot({ path: 'screenshots/inbox-archived.png', fullPage: true, animations: 'disabled' });
  await archived.getByRole('button', { name: 'Unarchive' }).click();
  await expect(archived).toHaveCount(0);
  await expect(bubble(alice)).toHaveText('1');

  await alice.getByRole('link', { name: 'Unread' }).click();
  await expect(alice.locator('.feed .item')).toHaveCount(1);
  await alice.screenshot({ path: 'screenshots/inbox.png', fullPage: true, animations: 'disabled' });
  await alice.screenshot({ path: `${README_SHOTS}/inbox.png`, animations: 'disabled' });
});

test('without WASM the actions still work as plain forms', async ({ browser }) => {
  const alice = await login(browser, 'alice', false);
  await alice.goto('/notifications?view=unread');
  const item = alice.locator('.feed .item', { hasText: 'Tidy me away' });
  await expect(item).toHaveCount(1);
  await item.getByRole('button', { name: 'Mark read' }).click();
  await expect(alice).toHaveURL(/view=unread/);
  await expect(alice.locator('.feed .item')).toHaveCount(0);
  await expect(alice.locator('.empty')).toContainText('nothing unread');
  await expect(bubble(alice)).toHaveCount(0);
});

test('a snoozed notification leaves the inbox and the count in every tab', async ({ browser }) => {
  await admin.send(aliceId, 'Ping me later');
  const tabA = await login(browser, 'alice');
  await tabA.goto('/notifications');
  const tabB = await tabA.context().newPage();
  await tabB.goto('/');
  for (const tab of [tabA, tabB]) await waitLive(tab);
  await markNoReload(tabB);
  await expect(bubble(tabB)).toHaveText('1');

  const item = tabA.locator('.feed .item', { hasText: 'Ping me later' });
  await item.getByRole('combobox', { name: 'Snooze “Ping me later” until' }).selectOption({ label: 'Tomorrow, 9:00' });
  await item.getByRole('button', { name: 'Snooze' }).click();
  await expect(item).toHaveCount(0);
  await expect(bubble(tabA)).toHaveCount(0);
  await expect(bubble(tabB)).toHaveCount(0);
  await expect(tabB.locator('.feed .item', { hasText: 'Ping me later' })).toHaveCount(0);
  await expectNotReloaded(tabB);
  // Stored: a fresh page does not show it either.
  await tabA.reload();
  await waitLive(tabA);
  await expect(tabA.locator('.feed .item', { hasText: 'Ping me later' })).toHaveCount(0);

  // It waits under Snoozed, and comes back early on request, in both tabs.
  await tabA.getByRole('link', { name: 'Snoozed' }).click();
  await expect(tabA).toHaveURL(/view=snoozed/);
  const snoozed = tabA.locator('.feed .item', { hasText: 'Ping me later' });
  await expect(snoozed).toContainText(/back in \d+ (hours?|days?)/);
  await tabA.screenshot({ path: 'screenshots/inbox-snoozed.png', animations: 'disabled' });
  await snoozed.getByRole('button', { name: 'Unsnooze' }).click();
  await expect(snoozed).toHaveCount(0);
  await expect(bubble(tabA)).toHaveText('1');
  await expect(bubble(tabB)).toHaveText('1');
  await expect(tabB.locator('.feed .item', { hasText: 'Ping me later' })).toHaveCount(1);
  await expectNotReloaded(tabB);
});

test('user text is inert: no markup runs, no javascript: links exist', async ({ browser }) => {
  const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await admin.send(aliceId, payload);
  const alice = await login(browser, 'alice');
  await waitLive(alice);
  await alice.goto('/notifications?view=unread');
  const item = alice.locator('.feed .item').first();
  await expect(item.locator('.item-title')).toHaveText(payload);
  await expect(alice.locator('.feed img, .feed script')).toHaveCount(0);
  expect(await alice.evaluate(() => (window as any).__pwned)).toBeUndefined();
  // A javascript: link is refused when sent, so none can reach a page.
  const refused = await herald.api('admin');
  await expect(refused.sendWithLink(aliceId, 'Click me', 'javascript:alert(1)')).rejects.toThrow(/422/);
  await refused.dispose();
  await expect(alice.locator('a[href^="javascript:"]')).toHaveCount(0);
});

test('the panel works from the keyboard alone', async ({ browser }) => {
  const alice = await login(browser, 'alice');
  await waitLive(alice);
  await bell(alice).focus();
  await alice.keyboard.press('Enter');
  await expect(panel(alice)).toBeVisible();
  await expect(bell(alice)).toHaveAttribute('aria-expanded', 'true');
  // Focus moved into the panel and stays there however far one tabs.
  await expect(panel(alice).locator(':focus')).toHaveCount(1);
  for (let i = 0; i < 12; i++) {
    await alice.keyboard.press('Tab');
    await expect(panel(alice).locator(':focus')).toHaveCount(1);
  }
  await alice.keyboard.press('Shift+Tab');
  await expect(panel(alice).locator(':focus')).toHaveCount(1);
  // Reading with the keyboard.
  const unread = panel(alice).locator('.item.unread');
  const before = await unread.count();
  await unread.first().getByRole('button', { name: 'Mark read' }).focus();
  await alice.keyboard.press('Enter');
  await expect(unread).toHaveCount(before - 1);
  await alice.keyboard.press('Escape');
  await expect(panel(alice)).toHaveCount(0);
  await expect(bell(alice)).toHaveAttribute('aria-expanded', 'false');
  await expect(bell(alice)).toBeFocused();
  // The count is announced to screen readers.
  await expect(alice.locator('.bell-wrap [aria-live=polite]')).toContainText('unread');
});

test('following a link marks it read', async ({ browser }) => {
  const api = await herald.api('admin');
  await api.sendWithLink(aliceId, 'See the report', '/notifications?view=all');
  await api.dispose();
  const alice = await login(browser, 'alice');
  await waitLive(alice);
  const before = Number((await bubble(alice).count()) ? await bubble(alice).textContent() : 0);
  await alice.goto('/notifications?view=unread');
  await alice.getByRole('link', { name: 'See the report' }).click();
  await expect(alice).toHaveURL(/view=all/);
  await expect(alice.locator('.feed .item:not(.unread)', { hasText: 'See the report' })).toHaveCount(1);
  await expect(bubble(alice)).toHaveCount(before - 1 > 0 ? 1 : 0);
});

test('the inbox pages with "Load more", never repeating an item', async ({ browser }) => {
  const api = await herald.api('admin');
  const bobId = await api.userId('bob');
  for (let i = 1; i <= 25; i++) await api.send(bobId, `Page item ${i}`);
  await api.dispose();
  const bob = await login(browser, 'bob');
  await bob.goto('/notifications?view=all');
  await waitLive(bob);
  const titles = bob.locator('.feed .item-title');
  await expect(titles).toHaveCount(20);
  await expect(titles.first()).toHaveText('Page item 25');
  await bob.getByRole('link', { name: 'Load more' }).click();
  await expect(titles).toHaveCount(25);
  const all = await titles.allTextContents();
  expect(new Set(all).size).toBe(25);
  expect(all.at(-1)).toBe('Page item 1');
  await expect(bob.getByRole('link', { name: 'Load more' })).toHaveCount(0);
});

test('a refused action is rolled back and explained', async ({ browser }) => {
  await admin.send(aliceId, 'Stays unread');
  const alice = await login(browser, 'alice');
  await alice.goto('/notifications?view=unread');
  await waitLive(alice);
  const count = Number(await bubble(alice).textContent());
  await alice.route('**/api/inbox/read', (route) =>
    route.fulfill({ status: 500, contentType: 'application/json', body: '"Internal"' }),
  );
  const item = alice.locator('.feed .item', { hasText: 'Stays unread' });
  await item.getByRole('button', { name: 'Mark read' }).click();
  await expect(alice.locator('.toast-error')).toContainText('Something went wrong');
  await expect(alice.locator('.feed .item.unread', { hasText: 'Stays unread' })).toHaveCount(1);
  await expect(bubble(alice)).toHaveText(String(count));
});

test('desktop notifications appear in a hidden tab only after opting in', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: herald.url, permissions: ['notifications'] });
  // Record what would be shown, and let the test hide the tab.
  await context.addInitScript(() => {
    const shown: string[] = [];
    (window as any).__shown = shown;
    class Recorder {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      constructor(title: string) {
        shown.push(title);
      }
    }
    (window as any).Notification = Recorder;
    let hidden = false;
    (window as any).__hide = () => (hidden = true);
    Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible') });
  });
  const alice = await context.newPage();
  await alice.goto('/login');
  await alice.locator('input[name=username]').fill('alice');
  await alice.locator('input[name=password]').fill(PASSWORD);
  await alice.getByRole('button', { name: 'Log in' }).click();
  await expect(alice.locator('.username')).toHaveText('alice');
  await alice.goto('/notifications');
  await waitLive(alice);
  await alice.evaluate(() => (window as any).__hide());

  await admin.send(aliceId, 'Before opting in');
  await expect(alice.locator('.feed .item-title').first()).toHaveText('Before opting in');
  expect(await alice.evaluate(() => (window as any).__shown)).toEqual([]);

  await alice.getByRole('button', { name: /Show desktop notifications/ }).click();
  await expect(alice.getByText('Desktop notifications are on')).toBeVisible();
  await admin.send(aliceId, 'After opting in');
  await expect.poll(() => alice.evaluate(() => (window as any).__shown)).toEqual(['After opting in']);
  await expect(alice.locator('.toast', { hasText: 'After opting in' })).toHaveCount(0);
});
