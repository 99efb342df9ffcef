import { test, expect } from '@playwright/test';
import { README_SHOTS, bubble, expectNotReloaded, loginAs, markNoReload, send, waitLive } from './helpers';

test('the admin sends to alice: her bubble counts up live, bob sees nothing', async ({ browser }) => {
  const admin = await loginAs(browser, 'admin');
  const alice = await loginAs(browser, 'alice');
  const bob = await loginAs(browser, 'bob');
  await admin.goto('/admin');
  for (const page of [admin, alice, bob]) await waitLive(page);
  await expect(bubble(alice)).toHaveCount(0);
  await expect(bubble(bob)).toHaveCount(0);
  await markNoReload(alice);
  await markNoReload(bob);

  await send(admin, 'alice', 'Your export is ready');
  await expect(bubble(alice)).toHaveText('1', { timeout: 2_000 });
  await send(admin, 'alice', 'Build #42 passed');
  await expect(bubble(alice)).toHaveText('2', { timeout: 2_000 });
  await expectNotReloaded(alice);
  await alice.locator('header').screenshot({ path: 'screenshots/header-bubble.png', animations: 'disabled' });
  await alice.locator('header').screenshot({ path: `${README_SHOTS}/bell.png`, animations: 'disabled' });

  // Bob's first change is the broadcast below, so alice's never reached him.
  await expect(bubble(bob)).toHaveCount(0);

  await alice.reload();
  await expect(bubble(alice)).toHaveText('2');
  await waitLive(alice);
  await markNoReload(alice);

  await send(admin, 'Everyone', 'Maintenance tonight at 22:00');
  await expect(bubble(alice)).toHaveText('3', { timeout: 2_000 });
  await expect(bubble(bob)).toHaveText('1', { timeout: 2_000 });
  await expectNotReloaded(alice);
  await expectNotReloaded(bob);
  await admin.screenshot({ path: 'screenshots/admin.png', fullPage: true, animations: 'disabled' });
});

test('without JavaScript the server-rendered page shows the right count', async ({ browser }) => {
  const admin = await loginAs(browser, 'admin');
  await admin.goto('/admin');
  await waitLive(admin);
  const bob = await loginAs(browser, 'bob', { javaScriptEnabled: false });
  const before = Number((await bubble(bob).count()) ? await bubble(bob).textContent() : 0);

  await send(admin, 'bob', 'Seen without WASM');
  await bob.reload();
  await expect(bubble(bob)).toHaveText(String(before + 1));
  await expect(bob.locator('.bell')).toHaveAttribute('aria-label', `Notifications, ${before + 1} unread`);
});

test('invalid input is shown beside its field and nothing is sent', async ({ browser }) => {
  const admin = await loginAs(browser, 'admin');
  await admin.goto('/admin');
  await waitLive(admin);
  const alice = await loginAs(browser, 'alice');
  await waitLive(alice);
  const before = await bubble(alice).textContent();

  await admin.locator('select[name=recipient]').selectOption({ label: 'alice' });
  await admin.locator('input[name=title]').fill('   ');
  await admin.locator('input[name=link]').fill('javascript:alert(1)');
  await admin.getByRole('button', { name: 'Send' }).click();
  await expect(admin.locator('.field-error[data-field=title]')).toHaveText('Title is required.');
  await expect(admin.locator('.field-error[data-field=link]')).toContainText('http://, https:// or /');
  await admin.screenshot({ path: 'screenshots/admin-errors.png', fullPage: true, animations: 'disabled' });

  // A valid send afterwards moves alice's count by exactly one.
  await admin.locator('input[name=link]').fill('');
  await send(admin, 'alice', 'After the errors');
  await expect(bubble(alice)).toHaveText(String(Number(before) + 1));
  await expect(admin.locator('.field-error')).toHaveCount(0);
});

test('a member is refused the admin page and anonymous visitors are sent to log in', async ({ browser }) => {
  const alice = await loginAs(browser, 'alice');
  const res = await alice.goto('/admin');
  expect(res?.status()).toBe(403);
  const anonymous = await (await browser.newContext()).newPage();
  await anonymous.goto('/admin');
  await expect(anonymous).toHaveURL(/\/login$/);
  await anonymous.screenshot({ path: 'screenshots/login.png', animations: 'disabled' });
});
