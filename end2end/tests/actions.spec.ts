import { test, expect, type Browser, type Page } from '@playwright/test';
import { FOREIGN_URL, WEBHOOK_SECRET } from '../playwright.config';
import { README_SHOTS, bubble, expectNotReloaded, loginAs, markNoReload, waitLive } from './helpers';
import { Api, Herald } from './server';

// A Herald of its own that signs webhooks; the other site (foreign/server.mjs)
// receives them and checks the signature.
const herald = Herald.fresh(3450, '.data-actions', {
  HERALD_WEBHOOK_SECRET: WEBHOOK_SECRET,
  // The integrator's site runs on this machine: allowed by name, as an
  // operator allows a receiver inside the network.
  HERALD_WEBHOOK_ALLOW: '127.0.0.1',
});
test.describe.configure({ mode: 'serial' });
let admin: Api;
let apiKey: string;
test.beforeAll(async () => {
  await herald.start();
  admin = await herald.api('admin');
  apiKey = await admin.createApiKey('Shop');
});
test.afterAll(async () => {
  await admin.dispose();
  await herald.stop();
});

const login = (browser: Browser, username: string): Promise<Page> =>
  loginAs(browser, username, { baseURL: herald.url });

// Sends alice a notification with `fields` (title, actions…) through the
// API, as the shop would: its id.
async function sendToAlice(fields: object): Promise<number> {
  const aliceId = Number(await admin.userId('alice'));
  const created = await fetch(`${herald.url}/api/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ recipients: [{ user_id: aliceId }], ...fields }),
  });
  expect(created.status).toBe(201);
  return (await created.json()).notifications[0].id;
}

test('an action button calls the integrator\'s webhook and is recorded in every tab', async ({ browser }) => {
  const id = await sendToAlice({
    title: 'Refund requested for order 7',
    body: 'Bob asks for 20 € back.',
    actions: [
      { label: 'Approve', webhook: `${FOREIGN_URL}/hooks/approve` },
      { label: 'View order', url: `${FOREIGN_URL}/orders/7` },
    ],
  });

  const inbox = await login(browser, 'alice');
  // "All": a clicked notification is read, and would leave "Unread".
  await inbox.goto('/notifications?view=all');
  const other = await inbox.context().newPage();
  await other.goto('/');
  for (const tab of [inbox, other]) await waitLive(tab);
  await markNoReload(other);
  await expect(bubble(other)).toHaveText('1');

  const item = inbox.locator('.feed .item', { hasText: 'Refund requested for order 7' });
  await expect(item.getByRole('button', { name: 'Approve' })).toBeVisible();
  await expect(item.getByRole('link', { name: 'View order' })).toBeVisible();
  await inbox.screenshot({ path: `${README_SHOTS}/actions.png`, animations: 'disabled' });
  await item.getByRole('button', { name: 'Approve' }).click();
  await expect(item.locator('.action-done')).toHaveText('✓ Approve');
  await expect(bubble(other)).toHaveCount(0);
  await expectNotReloaded(other);

  // The other site got it once, signed.
  await expect
    .poll(async () => (await (await fetch(`${FOREIGN_URL}/hooks`)).json()).filter((h: any) => h.body.notification_id === id))
    .toEqual([
      {
        path: '/hooks/approve',
        verified: true,
        body: expect.objectContaining({ action: { index: 0, label: 'Approve' } }),
      },
    ]);

  // A link action goes through Herald to its address.
  await item.getByRole('link', { name: 'View order' }).click();
  await expect(inbox).toHaveURL(`${FOREIGN_URL}/orders/7`);

  // The admin's Sent list counts who acted.
  const console = await login(browser, 'admin');
  await console.goto('/admin');
  const row = console.locator('.sent-table tr', { hasText: 'Refund requested for order 7' });
  await expect(row.locator('[data-count=interacted]')).toHaveText('1');
  await console.context().close();
  await inbox.context().close();
});

test('webhook actions are one choice: the chosen shows done and the other closed, in every tab', async ({ browser }) => {
  const id = await sendToAlice({
    title: 'Bob wants to join Design',
    actions: [
      { label: 'Let in', webhook: `${FOREIGN_URL}/hooks/admit` },
      { label: 'Decline', webhook: `${FOREIGN_URL}/hooks/decline` },
    ],
  });

  const inbox = await login(browser, 'alice');
  await inbox.goto('/notifications?view=all');
  const other = await inbox.context().newPage();
  await other.goto('/notifications?view=all');
  for (const tab of [inbox, other]) await waitLive(tab);
  await markNoReload(other);
  const item = (tab: Page) => tab.locator('.feed .item', { hasText: 'Bob wants to join Design' });
  await item(inbox).getByRole('button', { name: 'Decline' }).click();
  for (const tab of [inbox, other]) {
    await expect(item(tab).locator('.action-done')).toHaveText('✓ Decline');
    await expect(item(tab).locator('.action-closed')).toHaveText('Let in (not chosen)');
    await expect(item(tab).locator('.item-buttons').getByRole('button')).toHaveCount(0);
  }
  await expectNotReloaded(other);
  await inbox.screenshot({ path: 'screenshots/actions-chosen.png', animations: 'disabled' });

  // Only the choice reached the other site.
  await expect
    .poll(async () => (await (await fetch(`${FOREIGN_URL}/hooks`)).json())
      .filter((h: any) => h.body.notification_id === id).map((h: any) => h.path))
    .toEqual(['/hooks/decline']);
  await inbox.context().close();
});
