import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, request, test, type Browser, type Page } from '@playwright/test';
import { HERALD_URL, PASSWORD, SHOP_URL } from '../playwright.config';
import { expectNotReloaded, markNoReload } from './helpers';

// The example Django shop (examples/django-shop) with herald.django, as its
// README runs it, against this suite's Herald: staff ship an order in
// Django's admin, and the customer's <herald-bell> on the shop counts up.

const PYTHON = path.resolve('../.tools/venv/bin/python');
const SHOP_DIR = path.resolve('../examples/django-shop');
let shop: ChildProcess | undefined;
let shopOutput = '';
let dataDir = '';

test.beforeAll(async () => {
  // An API key for the shop, made the way Herald's admin makes one.
  const herald = await request.newContext({ baseURL: HERALD_URL, extraHTTPHeaders: { accept: 'application/json' } });
  expect((await herald.post('/api/login', { form: { username: 'admin', password: PASSWORD } })).ok()).toBeTruthy();
  const created = await herald.post('/api/admin/api-keys/create', { form: { name: 'Django shop' } });
  expect(created.ok()).toBeTruthy();
  const key: string = await created.json();
  await herald.dispose();

  dataDir = mkdtempSync(path.join(tmpdir(), 'herald-django-shop-'));
  const env = {
    ...process.env,
    SHOP_DATABASE: `${dataDir}/db.sqlite3`,
    SHOP_URL,
    HERALD_URL,
    HERALD_API_KEY: key,
    PYTHONUNBUFFERED: '1',
  };
  const manage = (...args: string[]) => execFileSync(PYTHON, ['manage.py', ...args], { cwd: SHOP_DIR, env, stdio: 'pipe' });
  manage('migrate', '--verbosity', '0');
  manage('shop_demo');
  manage('herald_check', '--origin', SHOP_URL);
  shop = spawn(PYTHON, ['manage.py', 'runserver', '--noreload', new URL(SHOP_URL).host], {
    cwd: SHOP_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  shop.stdout?.on('data', (d) => (shopOutput += d));
  shop.stderr?.on('data', (d) => (shopOutput += d));
  const answers = async () => (await fetch(`${SHOP_URL}/accounts/login/`).catch(() => null))?.status;
  try {
    await expect.poll(answers, { timeout: 20_000 }).toBe(200);
  } catch {
    throw new Error(`the shop did not start on ${SHOP_URL}:\n${shopOutput}`);
  }
});

test.afterAll(() => {
  shop?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A fresh browser context signed in through the shop's (or its admin's) login form. */
async function signIn(browser: Browser, loginPath: string, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: SHOP_URL })).newPage();
  await page.goto(loginPath);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('button', { name: 'Log in' })).toHaveCount(0);
  return page;
}

test('staff ship an order in Django admin and the customer’s bell on the shop counts up live', async ({ browser }) => {
  const customer = await signIn(browser, '/accounts/login/', 'carol', 'carol-password');
  await expect(customer.getByRole('heading', { name: 'Your orders' })).toBeVisible();
  const bell = customer.locator('herald-bell');
  const badge = bell.locator('[part=badge]');
  await expect(bell).toHaveAttribute('data-link', 'live');
  await expect(badge).toBeHidden();
  const row = customer.getByRole('row', { name: /A rain jacket/ });
  const order = (await row.getByRole('cell').first().textContent())!.replace('#', '');
  await markNoReload(customer);

  const staff = await signIn(browser, '/admin/login/', 'sam', 'sam-password');
  await staff.goto(`/admin/shop/order/${order}/change/`);
  await staff.getByLabel('Status').selectOption({ label: 'Shipped' });
  await staff.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(staff.locator('.messagelist')).toContainText('was changed successfully');

  await expect(badge).toHaveText('1');
  await bell.getByRole('button', { name: 'Notifications, 1 unread' }).click();
  const panel = bell.getByRole('dialog', { name: 'Notifications' });
  await expect(panel.locator('[part=title]')).toHaveText([`Your order #${order} shipped`]);
  await expect(panel).toContainText('A rain jacket is on its way.');
  await expectNotReloaded(customer);
  await staff.context().close();
  await customer.context().close();
});
