import { test, expect, type Browser, type Page } from '@playwright/test';
import { PASSWORD } from '../playwright.config';
import { loginAs, waitHydrated, waitLive } from './helpers';

/** Fails the test on any Content-Security-Policy violation the page reports. */
function watchCsp(page: Page, violations: string[]): void {
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
}

async function loginWith(browser: Browser, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('.username')).toHaveText(username);
  return page;
}

async function createUser(admin: Page, username: string): Promise<void> {
  await admin.getByLabel('New username').fill(username);
  await admin.getByLabel('New password').fill(PASSWORD);
  await admin.getByRole('button', { name: 'Create user' }).click();
  await expect(admin.locator(`.users-table tr[data-user="${username}"]`)).toHaveCount(1);
}

test('changing a password keeps this browser logged in and sends the other one to the login page', async ({ browser }) => {
  const violations: string[] = [];
  const admin = await loginAs(browser, 'admin');
  watchCsp(admin, violations);
  await admin.goto('/admin');
  await waitLive(admin);
  await createUser(admin, 'carol');

  const here = await loginWith(browser, 'carol', PASSWORD);
  const elsewhere = await loginWith(browser, 'carol', PASSWORD);
  for (const page of [here, elsewhere]) {
    watchCsp(page, violations);
    await waitLive(page);
  }
  await here.locator('a.username').click();
  await expect(here).toHaveURL(/\/account$/);
  await waitHydrated(here, '.account-forms');
  await here.getByLabel('Current password').fill('not the password');
  await here.getByLabel('New password', { exact: false }).first().fill('a new passphrase for carol');
  await here.getByLabel('New password, again').fill('a new passphrase for carol');
  await here.getByRole('button', { name: 'Change password' }).click();
  await expect(here.locator('.field-error[data-field=current_password]')).toBeVisible();

  await here.getByLabel('Current password').fill(PASSWORD);
  await here.getByRole('button', { name: 'Change password' }).click();
  await expect(here.locator('.success')).toContainText('Every other session');
  await here.screenshot({ path: 'screenshots/account.png', fullPage: true, animations: 'disabled' });

  // The other browser's live connection is closed as signed out, and the
  // page goes to the login page by itself.
  await expect(elsewhere).toHaveURL(/\/login$/, { timeout: 10_000 });
  // This one stays live.
  await here.goto('/');
  await waitLive(here);
  await expect(here.locator('.username')).toHaveText('carol');
  expect(violations).toEqual([]);
});

test('admins deactivate, reactivate and promote users, and the audit log records it', async ({ browser }) => {
  const violations: string[] = [];
  const admin = await loginAs(browser, 'admin');
  watchCsp(admin, violations);
  await admin.goto('/admin');
  await waitLive(admin);
  await createUser(admin, 'dave');
  const row = admin.locator('.users-table tr[data-user="dave"]');

  await row.getByRole('button', { name: 'Deactivate' }).click();
  await expect(row).toContainText('Deactivated');
  await row.getByRole('button', { name: 'Reactivate' }).click();
  await expect(row.getByRole('button', { name: 'Deactivate' })).toBeVisible();
  await row.getByRole('button', { name: 'make admin' }).click();
  await expect(row).toContainText('admin');
  await expect(row.getByRole('button', { name: 'make member' })).toBeVisible();

  // The last admin standing cannot demote themselves: here, two admins.
  await admin.reload();
  await waitLive(admin);
  const audit = admin.locator('.audit-table');
  for (const action of ['user.create', 'user.deactivate', 'user.reactivate', 'user.role']) {
    await expect(audit.locator(`tr[data-action="${action}"]`, { hasText: 'dave' }).first()).toBeVisible();
  }
  await admin.getByLabel('Search the audit log').fill('dave');
  await expect(audit.locator('tbody tr')).toHaveCount(4);
  await admin.locator('.audit').scrollIntoViewIfNeeded();
  await admin.screenshot({ path: 'screenshots/admin-audit.png', fullPage: true, animations: 'disabled' });
  expect(violations).toEqual([]);
});
