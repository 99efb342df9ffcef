import { test, expect, type Browser, type Page } from '@playwright/test';
import { README_SHOTS, bubble, logIn, loginAs, waitLive, waitHydrated } from './helpers';
import { Api, Herald } from './server';

// A Herald of its own: required categories and counts start from zero.
const herald = Herald.fresh(3400, '.data-settings');
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

const login = (browser: Browser, username: string, javaScriptEnabled = true): Promise<Page> =>
  loginAs(browser, username, { baseURL: herald.url, javaScriptEnabled });

const row = (page: Page, category: string) => page.locator(`.pref-row[data-category=${category}]`);

test('a muted category is listed in the inbox but never counted or toasted', async ({ browser }) => {
  const settings = await login(browser, 'alice');
  await settings.getByRole('link', { name: 'Settings' }).click();
  await expect(settings.getByRole('heading', { name: 'Notification settings' })).toBeVisible();
  await waitLive(settings);
  await waitHydrated(settings, '.switches');
  const mention = settings.getByRole('checkbox', { name: 'Mention in the bell', exact: true });
  await expect(mention).toBeChecked();
  await mention.uncheck();
  await expect(settings.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await settings.screenshot({ path: `${README_SHOTS}/settings.png`, animations: 'disabled' });

  const home = await settings.context().newPage();
  await home.goto('/');
  await waitLive(home);
  // The muted one first, then one that counts: when the second has
  // arrived, the first had to, and it must not have counted.
  await admin.send(aliceId, 'Bob mentioned you in #general', 'mention');
  await admin.send(aliceId, 'Your export is ready', 'info');
  await expect(bubble(home)).toHaveText('1');
  await expect(home.locator('.toast', { hasText: 'Your export is ready' })).toBeVisible();
  await expect(home.locator('.toast', { hasText: 'Bob mentioned you' })).toHaveCount(0);

  // Never lost: in the inbox, marked muted.
  await home.goto('/notifications');
  const item = home.locator('.feed .item', { hasText: 'Bob mentioned you in #general' });
  await expect(item).toBeVisible();
  await expect(item.locator('.muted-tag')).toBeVisible();
  await expect(bubble(home)).toHaveText('1');

  // Stored: a fresh settings page shows the choice.
  await settings.reload();
  await expect(settings.getByRole('checkbox', { name: 'Mention in the bell', exact: true })).not.toBeChecked();
  await settings.context().close();
});

test('without WASM a row of settings saves as a plain form', async ({ browser }) => {
  const page = await login(browser, 'alice', false);
  await page.goto('/settings');
  const success = row(page, 'success');
  await success.getByRole('checkbox', { name: 'Success in the bell', exact: true }).uncheck();
  await success.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('checkbox', { name: 'Success in the bell', exact: true })).not.toBeChecked();
  await page.context().close();
});

test('a switch clicked before its code arrives is saved when it does', async ({ browser }) => {
  const page = await login(browser, 'alice');
  // The switches' code is a chunk of its own: held back until after the click.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/split_switches_loader_*', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/settings');
  const email = page.getByRole('checkbox', { name: 'Info by email when unseen' });
  const before = await email.isChecked();
  await email.click();
  await expect(page.locator('.switches[data-hydrated=true]')).toHaveCount(0);
  release();
  await waitHydrated(page, '.switches');
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Info by email when unseen' })).toBeChecked({ checked: !before });
  await page.context().close();
});

test('a category the admin makes required cannot be muted', async ({ browser }) => {
  const console = await login(browser, 'admin');
  await console.goto('/admin');
  const warning = console.locator('.category-list li[data-category=warning]');
  await warning.getByRole('button', { name: 'Make required' }).click();
  await expect(warning.locator('.required-tag')).toHaveText('Required');

  const page = await login(browser, 'alice');
  await page.goto('/settings');
  await expect(row(page, 'warning').locator('.required-tag')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Warning in the bell (required)' })).toBeDisabled();
  await expect(page.getByRole('checkbox', { name: 'Warning in the bell (required)' })).toBeChecked();

  await warning.getByRole('button', { name: 'Make optional' }).click();
  await expect(warning.locator('.required-tag')).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Warning in the bell', exact: true })).toBeEnabled();
  await console.context().close();
  await page.context().close();
});

test('desktop notifications follow each category\'s setting', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: herald.url });
  // A stand-in for the browser's Notification API, and a hidden tab: what
  // Herald shows on the desktop is recorded instead.
  await context.addInitScript(() => {
    const shown: string[] = [];
    (window as any).__desktop = shown;
    (window as any).Notification = class {
      static permission = 'granted';
      static requestPermission() {
        return Promise.resolve('granted');
      }
      constructor(title: string) {
        shown.push(title);
      }
    };
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => ((window as any).__hidden ? 'hidden' : 'visible'),
    });
    localStorage.setItem('herald.desktop', 'on');
  });
  const page = await context.newPage();
  await logIn(page, 'bob');
  await page.goto('/settings');
  await waitLive(page);
  await waitHydrated(page, '.switches');
  const desktop = page.getByRole('checkbox', { name: 'Success as desktop notifications' });
  await desktop.uncheck();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.evaluate(() => ((window as any).__hidden = true));

  const bobId = await admin.userId('bob');
  await admin.send(bobId, 'Build passed', 'success');
  await admin.send(bobId, 'Deploy started', 'info');
  await expect(bubble(page)).toHaveText('2');
  await admin.send(bobId, 'Deploy finished', 'info');
  await expect
    .poll(() => page.evaluate(() => (window as any).__desktop as string[]))
    .toEqual(['Deploy started', 'Deploy finished']);
  await context.close();
});

test('a user sees the topics an app subscribed them to and leaves one', async ({ browser }) => {
  const key = await admin.createApiKey('Projects');
  const subscribe = (topic: string) =>
    fetch(`${herald.url}/api/v1/topics/${topic}/subscribers`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_ids: [Number(aliceId)] }),
    });
  for (const topic of ['project:apollo', 'project:gemini', 'team:design']) {
    expect((await subscribe(topic)).status).toBe(200);
  }
  const settings = await login(browser, 'alice');
  await settings.goto(`${herald.url}/settings`);
  await waitLive(settings);
  const topics = settings.getByRole('list', { name: 'Your topics' });
  await expect(topics.locator('.topic-key')).toHaveText(['project:apollo', 'project:gemini', 'team:design']);
  await topics.scrollIntoViewIfNeeded();
  await settings.screenshot({ path: `${README_SHOTS}/settings-topics.png`, animations: 'disabled' });
  await settings.getByRole('button', { name: 'Leave project:gemini' }).click();
  await expect(topics.locator('.topic-key')).toHaveText(['project:apollo', 'team:design']);
  // Sends to the topic left no longer reach alice.
  const res = await fetch(`${herald.url}/api/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ recipients: [{ topic: 'project:gemini' }], title: 'Gemini launch moved' }),
  });
  expect(res.status).toBe(202);
  expect((await res.json()).recipients).toBe(0);
  await settings.context().close();
});
