import { test, expect, type Page } from '@playwright/test';
import { PASSWORD } from '../playwright.config';
import { audit, tabTo } from './a11y';
import { bubble, loginAs, waitLive, waitHydrated } from './helpers';
import { Api, Herald } from './server';

// axe-core (WCAG 2.1 A and AA) over every page and state of Herald's own
// pages, in light and dark; and the end user's whole flow by keyboard alone.
// <herald-bell> is audited on the other site in embed.spec.ts.
const herald = Herald.fresh(3480, '.data-a11y');
test.describe.configure({ mode: 'serial' });
let admin: Api;
let apiKey: string;
let aliceId: number;
test.beforeAll(async () => {
  await herald.start();
  admin = await herald.api('admin');
  apiKey = await admin.createApiKey('Shop');
  aliceId = Number(await admin.userId('alice'));
});
test.afterAll(async () => {
  await admin.dispose();
  await herald.stop();
});

/** Sends alice a notification with `fields` through the API: its id. */
async function toAlice(fields: object): Promise<number> {
  const res = await fetch(`${herald.url}/api/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ recipients: [{ user_id: aliceId }], ...fields }),
  });
  expect(res.status).toBe(201);
  return (await res.json()).notifications[0].id;
}

const row = (page: Page, title: string) => page.locator('.feed > .item', { hasText: title });

test('every page and state passes axe-core (WCAG 2.1 A and AA) in light and dark', async ({ browser }) => {
  test.setTimeout(120_000); // a dozen states, each audited twice
  const visitor = await (await browser.newContext({ baseURL: herald.url })).newPage();
  await visitor.goto('/login');
  await audit(visitor, 'login');
  await waitHydrated(visitor, '.login');
  await visitor.locator('input[name=username]').fill('alice');
  await visitor.locator('input[name=password]').fill(`${PASSWORD}-wrong`);
  await visitor.getByRole('button', { name: 'Log in' }).click();
  await expect(visitor.locator('.error[role=alert]')).not.toBeEmpty();
  await audit(visitor, 'login refused');
  await visitor.goto('/no-such-page');
  await audit(visitor, 'not found');
  await visitor.context().close();

  for (const actor of ['Ana', 'Bo', 'Cy']) {
    await toAlice({ title: `${actor} commented on your post`, actor, category: 'mention', group_key: 'post:1' });
  }
  await toAlice({
    title: 'Order 7 shipped',
    body: 'It arrives on Friday.',
    category: 'success',
    actions: [{ label: 'Track parcel', url: '/orders/7/track' }],
  });
  await toAlice({ title: 'Disk almost full', category: 'warning', link: '/status' });
  const later = await toAlice({ title: 'Weekly digest ready' });
  const opened = await toAlice({ title: 'Invoice 12 is due', link: '/invoices/12' });

  const alice = await loginAs(browser, 'alice', { baseURL: herald.url });
  await waitLive(alice);
  await expect(bubble(alice)).toHaveText('5');
  await audit(alice, 'home, bell closed');
  await alice.locator('a.bell').click();
  await expect(alice.locator('#bell-panel .feed > .item').first()).toBeVisible();
  await audit(alice, 'home, bell open');
  await alice.keyboard.press('Escape');

  await alice.goto('/notifications?view=all');
  await waitLive(alice);
  await row(alice, 'Cy commented').locator('.group-rest summary').click();
  await row(alice, 'Order 7 shipped').getByRole('link', { name: 'Track parcel' }).waitFor();
  await audit(alice, 'inbox, all, a group opened');
  await row(alice, 'Disk almost full').getByRole('button', { name: 'Archive' }).click();
  await row(alice, `Weekly digest ready`).getByRole('button', { name: 'Snooze' }).click();
  await expect(row(alice, 'Weekly digest ready')).toHaveCount(0);
  for (const view of ['unread', 'snoozed', 'archived']) {
    await alice.goto(`/notifications?view=${view}`);
    await waitLive(alice);
    await expect(alice.locator('.feed > .item').first()).toBeVisible();
    await audit(alice, `inbox, ${view}`);
  }
  await alice.goto('/notifications?view=archived');
  await row(alice, 'Disk almost full').getByRole('button', { name: 'Unarchive' }).click();
  await expect(alice.locator('.empty')).toBeVisible();
  await audit(alice, 'inbox, archived, empty');

  await alice.goto('/settings');
  await waitLive(alice);
  await waitHydrated(alice, '.switches');
  await audit(alice, 'settings');
  await alice.goto('/account');
  await waitLive(alice);
  await waitHydrated(alice, '.account-forms');
  await audit(alice, 'account');

  // A link to a notification followed from another page asks first.
  const elsewhere = await alice.context().newPage();
  await elsewhere.setContent(`<a href="${herald.url}/notifications/${opened}/open">Invoice</a>`);
  await elsewhere.getByRole('link', { name: 'Invoice' }).click();
  await expect(elsewhere.getByRole('heading', { name: 'Open this notification?' })).toBeVisible();
  await audit(elsewhere, 'confirm open');
  await alice.context().close();
  expect(later).toBeGreaterThan(0);

  const console = await loginAs(browser, 'admin', { baseURL: herald.url });
  await console.goto('/admin');
  await waitLive(console);
  await expect(console.locator('.sent-table tr').nth(1)).toBeVisible();
  await expect(console.locator('.audit-table tr').nth(1)).toBeVisible();
  await audit(console, 'admin console');
  await console.locator('input[name=title]').fill('');
  await console.getByRole('button', { name: 'Send' }).click();
  await expect(console.locator('.field-error').first()).toBeVisible();
  await audit(console, 'admin console, compose refused');
  await console.getByLabel('Key name').fill('Django staging');
  await console.getByRole('button', { name: 'Create key' }).click();
  await expect(console.getByTestId('new-api-key')).toBeVisible();
  await audit(console, 'admin console, a new key shown');
  await console.context().close();
});

test('the end user reads, acts, snoozes and reaches settings by keyboard alone', async ({ browser }) => {
  await toAlice({ title: 'Build 41 passed', category: 'success' });
  await toAlice({
    title: 'Review requested on PR 9',
    category: 'mention',
    actions: [{ label: 'Open PR', url: '/pulls/9' }],
  });
  const page = await loginAs(browser, 'alice', { baseURL: herald.url });
  await waitLive(page);
  const unread = Number(await bubble(page).textContent());

  // The bell, opened with Enter: focus moves into the panel.
  const bell = page.locator('a.bell');
  await tabTo(page, bell);
  await page.keyboard.press('Enter');
  const panel = page.locator('#bell-panel');
  await expect(panel).toBeVisible();
  await expect(panel.locator(':focus')).toHaveCount(1);
  // Through the items to one's "Mark read", and act on it.
  const built = panel.locator('.item', { hasText: 'Build 41 passed' });
  await tabTo(page, built.getByRole('button', { name: 'Mark read' }));
  await page.keyboard.press('Enter');
  await expect(bubble(page)).toHaveText(String(unread - 1));
  // Escape closes and gives the focus back to the bell.
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(bell).toBeFocused();

  // To the inbox through the panel's own link.
  await page.keyboard.press('Enter');
  await tabTo(page, panel.getByRole('link', { name: 'See all notifications' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/notifications$/);
  await waitLive(page);

  // Snooze one: its time picked with the arrow keys, then its button.
  const review = row(page, 'Review requested on PR 9');
  const choice = review.locator('select[name=choice]');
  await tabTo(page, choice);
  await page.keyboard.press('ArrowDown');
  await expect(choice).not.toHaveValue('hour');
  await tabTo(page, review.getByRole('button', { name: 'Snooze' }));
  await page.keyboard.press('Enter');
  await expect(review).toHaveCount(0);

  // And on to Settings from the header, backwards.
  await tabTo(page, page.getByRole('link', { name: 'Settings' }), 60, true);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.context().close();
});
