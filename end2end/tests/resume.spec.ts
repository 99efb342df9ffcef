import { test, expect, type Browser, type Page } from '@playwright/test';
import { PASSWORD } from '../playwright.config';
import { bubble, expectNotReloaded, loginAs, markNoReload, waitLive } from './helpers';
import { Herald } from './server';

// These tests start, stop and restart their own Herald, away from the
// shared test server.
const herald = Herald.fresh(3200, '.data-resume');
test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => herald.start());
test.afterAll(async () => herald.stop());

/** Logs in on the Herald at `base`. */
const loginAt = (browser: Browser, base: string, username: string): Promise<Page> =>
  loginAs(browser, username, { baseURL: base });

async function titles(page: Page): Promise<string[]> {
  return page.locator('.feed .item-title').allTextContents();
}

test('after a server restart the bubble catches up exactly, without a reload', async ({ browser }) => {
  const alice = await loginAt(browser, herald.url, 'alice');
  await waitLive(alice);
  await markNoReload(alice);
  let admin = await herald.api('admin');
  const aliceId = await admin.userId('alice');
  await admin.send(aliceId, 'Before the outage');
  await expect(bubble(alice)).toHaveText('1', { timeout: 2_000 });
  await admin.dispose();

  await herald.stop();
  await expect(alice.locator('.bell')).toHaveAttribute('data-link', 'reconnecting');
  await alice.locator('header').screenshot({ path: 'screenshots/header-reconnecting.png', animations: 'disabled' });

  // While alice's server is down, another instance on the same database
  // writes two notifications for her.
  const other = herald.sibling(3201);
  await other.start();
  admin = await other.api('admin');
  await admin.send(aliceId, 'During the outage 1');
  await admin.send(aliceId, 'During the outage 2');
  await admin.dispose();
  await other.stop();

  await herald.start();
  await expect(bubble(alice)).toHaveText('3', { timeout: 20_000 });
  await waitLive(alice);
  expect((await titles(alice)).sort()).toEqual(
    ['Before the outage', 'During the outage 1', 'During the outage 2'].sort(),
  );

  admin = await herald.api('admin');
  await admin.send(aliceId, 'After the outage');
  await expect(bubble(alice)).toHaveText('4', { timeout: 2_000 });
  const seen = await titles(alice);
  expect(seen).toHaveLength(4);
  expect(new Set(seen).size).toBe(4);
  await expectNotReloaded(alice);
  await admin.dispose();
});

test('three tabs of one user stay in step', async ({ browser }) => {
  const first = await loginAt(browser, herald.url, 'bob');
  const tabs = [first, await first.context().newPage(), await first.context().newPage()];
  for (const tab of tabs.slice(1)) await tab.goto('/');
  for (const tab of tabs) await waitLive(tab);
  const before = Number((await bubble(first).count()) ? await bubble(first).textContent() : 0);

  const admin = await herald.api('admin');
  const bobId = await admin.userId('bob');
  await admin.send(bobId, 'Tab sync 1');
  await admin.send(bobId, 'Tab sync 2');
  for (const tab of tabs) {
    await expect(bubble(tab)).toHaveText(String(before + 2), { timeout: 2_000 });
    // The count and the list come from one message but render apart: wait
    // for the list too, then check that each arrived exactly once.
    await expect.poll(() => titles(tab)).toEqual(expect.arrayContaining(['Tab sync 1', 'Tab sync 2']));
    const seen = await titles(tab);
    expect(seen.filter((t) => t === 'Tab sync 1')).toHaveLength(1);
    expect(seen.filter((t) => t === 'Tab sync 2')).toHaveLength(1);
  }
  await admin.dispose();
});

test('when the socket is blocked the page falls back to server-sent events', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: herald.url });
  // A network that lets the handshake through but never a message.
  await context.routeWebSocket(/\/ws$/, (ws) => ws.close());
  const page = await context.newPage();
  const stream = page.waitForRequest((r) => r.url().includes('/events'), { timeout: 20_000 });
  await page.goto('/login');
  await page.locator('input[name=username]').fill('alice');
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('.username')).toHaveText('alice');
  await stream;
  await waitLive(page);
  const before = Number((await bubble(page).count()) ? await bubble(page).textContent() : 0);

  const admin = await herald.api('admin');
  await admin.send(await admin.userId('alice'), 'Over SSE');
  await expect(bubble(page)).toHaveText(String(before + 1), { timeout: 2_000 });
  await expect(page.locator('.feed .item-title').first()).toHaveText('Over SSE');
  await page.screenshot({ path: 'screenshots/home-feed.png', fullPage: true, animations: 'disabled' });
  await admin.dispose();
});

test('a connection that falls silent is replaced and catches up', async ({ browser }) => {
  // A server with a 1 s heartbeat: the page gives up on a connection that
  // says nothing for 2 heartbeats + 5 s.
  const quick = Herald.fresh(3202, '.data-resume-heartbeat', { HERALD_HEARTBEAT_MS: '1000' });
  await quick.start();
  try {
    const context = await browser.newContext({ baseURL: quick.url });
    // The first connection goes silent on cue (a proxy that stops
    // forwarding, a half-open socket); later ones pass everything.
    let connections = 0;
    let silenced = false;
    await context.routeWebSocket(/\/ws$/, (ws) => {
      const mine = ++connections;
      const server = ws.connectToServer();
      server.onMessage((message) => {
        if (!(mine === 1 && silenced)) ws.send(message);
      });
      ws.onMessage((message) => server.send(message));
    });
    const page = await context.newPage();
    await page.goto('/login');
    await page.locator('input[name=username]').fill('alice');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await waitLive(page);
    await markNoReload(page);

    silenced = true;
    const admin = await quick.api('admin');
    await admin.send(await admin.userId('alice'), 'Sent into the silence');
    await expect(bubble(page)).toHaveText('1', { timeout: 15_000 });
    expect(connections).toBeGreaterThanOrEqual(2);
    await expect(page.locator('.feed .item-title')).toHaveText(['Sent into the silence']);
    await expectNotReloaded(page);
    await admin.dispose();
  } finally {
    await quick.stop();
  }
});
