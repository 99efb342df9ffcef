import { test, expect, type Browser, type BrowserContextOptions, type Page } from '@playwright/test';
import { PASSWORD } from '../playwright.config';
import { audit } from './a11y';
import { README_SHOTS, centre, waitHydrated, waitLive } from './helpers';
import { Api, Herald } from './server';

// Herald's own pages in the user's language: the browser's (Accept-Language)
// until the user chooses one in Settings; relative times from the platform
// (Intl) once hydrated, the same words the server rendered before.
const herald = Herald.fresh(3490, '.data-i18n');
test.describe.configure({ mode: 'serial' });
let admin: Api;
const ids: Record<string, string> = {};
test.beforeAll(async () => {
  await herald.start();
  admin = await herald.api('admin');
  for (const name of ['alice', 'bob']) ids[name] = await admin.userId(name);
});
test.afterAll(async () => {
  await admin.dispose();
  await herald.stop();
});

/** Signs `username` in through the login form, in whatever language it is. */
async function signIn(browser: Browser, username: string, options: BrowserContextOptions): Promise<Page> {
  const context = await browser.newContext({ baseURL: herald.url, ...options });
  const page = await context.newPage();
  await page.goto('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('form.form button[type=submit]').click();
  await expect(page.locator('.username')).toHaveText(username);
  return page;
}

test('the pages speak the browser’s language, and the user’s own choice beats it', async ({ browser }) => {
  const page = await signIn(browser, 'alice', { locale: 'de-DE' });
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await admin.send(ids.alice, 'Quarterly numbers are in', 'success');
  await admin.send(ids.alice, 'Deploy finished', 'info');
  await admin.send(ids.alice, 'Disk almost full', 'warning');
  await page.goto('/notifications?view=all');
  await waitLive(page);
  await expect(page.getByRole('heading', { name: 'Benachrichtigungen', level: 1 })).toBeVisible();
  await expect(page.locator('.tabs')).toHaveText(/Ungelesen\s*Alle\s*Zurückgestellt\s*Archiviert/);
  await expect(page.locator('.bell')).toHaveAttribute('aria-label', 'Benachrichtigungen, 3 ungelesen');
  // The senders' words stay theirs.
  await expect(page.locator('.feed .item').first()).toContainText('Disk almost full');
  await expect(page.locator('.feed .item').first().locator('.when')).toHaveText('jetzt');
  // Live, in German: the count's label follows a new arrival.
  await admin.send(ids.alice, 'Lunch is served', 'info');
  await expect(page.locator('.bell')).toHaveAttribute('aria-label', 'Benachrichtigungen, 4 ungelesen');
  // An action, in German, optimistic as in English.
  const deploy = page.locator('.feed .item', { hasText: 'Deploy finished' });
  await deploy.getByRole('button', { name: 'Als gelesen markieren' }).click();
  await expect(deploy.getByRole('button', { name: 'Als ungelesen markieren' })).toBeVisible();
  await expect(page.locator('.bell')).toHaveAttribute('aria-label', 'Benachrichtigungen, 3 ungelesen');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${README_SHOTS}/inbox-de.png`, animations: 'disabled' });
  await audit(page, 'the German inbox');

  // Her choice in Settings beats her browser's, on a fresh load of every page.
  await page.goto('/settings');
  await waitLive(page);
  await waitHydrated(page, '.switches');
  await expect(page.getByRole('heading', { name: 'Sprache' })).toBeVisible();
  await page.screenshot({ path: 'screenshots/settings-de.png', fullPage: true, animations: 'disabled' });
  await audit(page, 'German settings');
  await page.getByLabel('Sprache der Seiten von Herald').selectOption({ label: 'English' });
  await page.getByRole('button', { name: 'Sprache speichern' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { name: 'Language' })).toBeVisible();
  await expect(page.getByLabel("Language of Herald's pages")).toHaveValue('en');
  await page.goto('/notifications');
  await expect(page.getByRole('button', { name: 'Mark all read' })).toBeVisible();
  // Back to automatic: the browser's German again.
  await page.goto('/settings');
  await page.getByLabel("Language of Herald's pages").selectOption({ value: '' });
  await page.getByRole('button', { name: 'Save language' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByRole('heading', { name: 'Sprache' })).toBeVisible();
  await page.context().close();
});

test('the admin console speaks it too', async ({ browser }) => {
  const page = await signIn(browser, 'admin', { locale: 'de-DE' });
  await page.goto('/admin');
  await waitLive(page);
  await expect(page.getByRole('heading', { name: 'Benachrichtigung senden' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Rolle' })).toBeVisible();
  // Who a send was for is stored in the API's English ("1 user"), and said in German.
  await admin.send(ids.alice, 'Wartung heute Nacht', 'info');
  await page.reload();
  await expect(page.locator('tr[data-send]', { hasText: 'Wartung heute Nacht' }).locator('td').nth(1)).toHaveText('1 Benutzer');
  await expect(page.locator('tr[data-action=send]', { hasText: 'Wartung heute Nacht' }).locator('td').nth(3)).toHaveText('1 Benutzer');
  await page.screenshot({ path: 'screenshots/admin-de.png', fullPage: true, animations: 'disabled' });
  await audit(page, 'the German admin console');
  await page.context().close();
});

test('the layout follows the writing direction: bubble and panel sit at the end of the line', async ({ browser }) => {
  // English and German run left to right; the styles use logical sides
  // (inset-inline-end, not right), so a right-to-left page mirrors them.
  const page = await signIn(browser, 'bob', { locale: 'en-US' });
  await waitLive(page);
  await admin.send(ids.bob, 'Read from the right', 'info');
  const bell = page.locator('a.bell');
  const bubble = page.getByTestId('unread-bubble');
  await expect(bubble).toBeVisible();
  expect(await centre(bubble)).toBeGreaterThan(await centre(bell));
  await page.evaluate(() => document.documentElement.setAttribute('dir', 'rtl'));
  await expect.poll(async () => (await centre(bubble)) < (await centre(bell))).toBe(true);
  await bell.click();
  const panel = page.locator('#bell-panel');
  await expect(panel).toBeVisible();
  const wrap = (await page.locator('.bell-wrap').boundingBox())!;
  expect(Math.abs((await panel.boundingBox())!.x - wrap.x)).toBeLessThan(1);
  await page.screenshot({ path: 'screenshots/rtl.png', animations: 'disabled' });
  await page.context().close();
});

/** The relative times a page shows: when each item came, when snoozed ones return. */
async function times(page: Page): Promise<string[]> {
  await expect(page.locator('.feed .item').first()).toBeVisible();
  return page.locator('.feed .item .when, .feed .item .snoozed').allTextContents();
}

for (const locale of ['de-DE', 'en-US']) {
  test(`relative times read the same from the server and from Intl once hydrated (${locale})`, async ({ browser }) => {
    const user = locale === 'de-DE' ? 'bob' : 'alice';
    await admin.send(ids[user], 'Review the roadmap', 'info');
    await admin.send(ids[user], 'Ping me next week', 'info');
    const page = await signIn(browser, user, { locale });
    await page.goto('/notifications');
    await waitLive(page);
    const later = page.locator('.feed .item', { hasText: 'Ping me next week' });
    await later.locator('select[name=choice]').selectOption({ index: 2 });
    await later.locator('button[type=submit]', { hasText: /Snooze|Zurückstellen/ }).click();
    await expect(later).toHaveCount(0);

    // The server's words (a browser without scripts) and the platform's
    // (lists drawn in the browser after hydration, by switching views) must
    // be the same. Retried only so that an item crossing "now" → "1 minute
    // ago" between the two reads cannot fail it; a real difference never
    // matches.
    const plain = await signIn(browser, user, { locale, javaScriptEnabled: false });
    const tabs = page.locator('.tabs a');
    for (const [index, view] of [[1, 'all'], [2, 'snoozed']] as const) {
      await expect(async () => {
        await plain.goto(`/notifications?view=${view}`);
        const fromServer = await times(plain);
        await tabs.nth(0).click();
        await expect(page).toHaveURL(/view=unread/);
        await tabs.nth(index).click();
        await expect(page).toHaveURL(new RegExp(`view=${view}`));
        expect(await times(page)).toEqual(fromServer);
        if (view === 'snoozed') {
          expect(fromServer.join(' ')).toMatch(locale === 'de-DE' ? /zurück in \d+ (Stunden?|Tagen?)/ : /back in \d+ (hours?|days?)/);
        }
      }).toPass({ timeout: 20_000 });
    }
    await page.context().close();
    await plain.context().close();
  });
}
