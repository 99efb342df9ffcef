import { expect, type Browser, type BrowserContextOptions, type Locator, type Page } from '@playwright/test';
import { PASSWORD } from '../playwright.config';

/** A fresh browser context logged in as `username` through the login page. */
export async function loginAs(
  browser: Browser,
  username: string,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await logIn(page, username);
  return page;
}

/** Logs `page` in as `username` through the login page. */
export async function logIn(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('.username')).toHaveText(username);
}

/** Waits until the page is hydrated and its live socket is open. */
export async function waitLive(page: Page): Promise<void> {
  await expect(page.locator('.bell')).toHaveAttribute('data-link', 'live');
}

/**
 * Waits until the lazy island at `selector` (the settings switches, the
 * account or login form) is hydrated: its code is a chunk of its own,
 * fetched after the page's main module, and until it is in its forms are
 * plain forms (they post and reload).
 */
export async function waitHydrated(page: Page, selector: string): Promise<void> {
  await expect(page.locator(`${selector}[data-hydrated=true]`)).toHaveCount(1);
}

export function bubble(page: Page) {
  return page.getByTestId('unread-bubble');
}

/** Marks the page so a later check can prove it was never reloaded. */
export async function markNoReload(page: Page): Promise<void> {
  await page.evaluate(() => ((window as any).__heraldNoReload = true));
}

export async function expectNotReloaded(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as any).__heraldNoReload === true)).toBe(true);
}

/** Sends a notification from the admin page and waits for the confirmation. */
export async function send(admin: Page, recipient: string, title: string): Promise<void> {
  await admin.locator('select[name=recipient]').selectOption({ label: recipient });
  await admin.locator('input[name=title]').fill(title);
  if (recipient === 'Everyone') await admin.locator('input[name=confirm]').check();
  await admin.getByRole('button', { name: 'Send' }).click();
  // Titles are unique per test, so this waits for this send's own report.
  // A send to everyone is written out in the background.
  const report = recipient === 'Everyone' ? `Sending “${title}”` : `Sent “${title}”`;
  await expect(admin.locator('.success')).toContainText(report);
}

/** Where the README's pictures live: every run of the browser tests redraws them. */
export const README_SHOTS = '../docs/screenshots';

/** Where `element`'s middle is, across the page. */
export async function centre(element: Locator): Promise<number> {
  const box = (await element.boundingBox())!;
  return box.x + box.width / 2;
}
