import { test, expect, type Page } from '@playwright/test';
import { README_SHOTS, bubble, expectNotReloaded, loginAs, markNoReload, waitLive } from './helpers';
import { Api, Herald } from './server';

// Grouping: sends with one group_key are one row in the inbox and the bell
// of every tab, counted once, read as one; the next after that is a new row.
const herald = Herald.fresh(3470, '.data-groups');
test.describe.configure({ mode: 'serial' });
let admin: Api;
let apiKey: string;
let aliceId: number;
test.beforeAll(async () => {
  await herald.start();
  admin = await herald.api('admin');
  apiKey = await admin.createApiKey('Blog');
  aliceId = Number(await admin.userId('alice'));
});
test.afterAll(async () => {
  await admin.dispose();
  await herald.stop();
});

async function comment(actor: string, key = 'post:42:comments', post = 'Release notes 1.4'): Promise<void> {
  const res = await fetch(`${herald.url}/api/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      recipients: [{ user_id: aliceId }],
      title: `${actor} commented on “${post}”`,
      body: 'Looks good to me.',
      link: `/posts/${key.split(':')[1]}#comments`,
      category: 'mention',
      actor,
      group_key: key,
    }),
  });
  expect(res.status).toBe(201);
}

const rows = (tab: Page) => tab.locator('.feed > .item');

test('five comments are one row in every tab, read as one; the sixth starts a new row', async ({ browser }) => {
  const inbox = await loginAs(browser, 'alice', { baseURL: herald.url });
  await inbox.goto('/notifications');
  const other = await inbox.context().newPage();
  await other.goto('/notifications?view=all');
  for (const tab of [inbox, other]) await waitLive(tab);
  await markNoReload(other);

  for (const actor of ['Ana', 'Bo', 'Cy', 'Di', 'Ed']) await comment(actor);
  // One toast for the row: each of its newest took the place of the last.
  await expect(inbox.locator('.toast')).toHaveText(['Ed commented on “Release notes 1.4”']);
  for (const tab of [inbox, other]) {
    await expect(bubble(tab)).toHaveText('1');
    await expect(rows(tab)).toHaveCount(1);
    const row = rows(tab).first();
    await expect(row.locator('.item-title')).toHaveText('Ed commented on “Release notes 1.4”');
    await expect(row.locator('.actor')).toHaveText(' · from Ed, Di and 3 others');
    await expect(row.locator('.group-rest summary')).toHaveText('and 4 more');
  }
  // The bell's panel shows the same one row.
  await other.locator('a.bell').click();
  await expect(other.locator('#bell-panel .feed > .item')).toHaveCount(1);
  await expect(other.locator('#bell-panel .group-rest summary')).toHaveText('and 4 more');
  await other.keyboard.press('Escape');

  // Opened, the row lists the rest; a seventh of another post is its own row.
  await comment('Ana', 'post:7:comments', 'Roadmap 2027');
  await expect(bubble(inbox)).toHaveText('2');
  const grouped = rows(inbox).filter({ has: inbox.locator('.group-rest') });
  await grouped.locator('.group-rest summary').click();
  await expect(grouped.locator('.group-rest li')).toHaveCount(4);
  await expect(rows(inbox)).toHaveCount(2);
  await inbox.screenshot({ path: `${README_SHOTS}/inbox-grouped.png`, animations: 'disabled' });

  // Reading the row reads all five, in every tab: the count drops by one.
  await grouped.getByRole('button', { name: 'Mark read' }).click();
  for (const tab of [inbox, other]) await expect(bubble(tab)).toHaveText('1');
  await expect(rows(inbox)).toHaveCount(1);
  const read = rows(other).filter({ has: other.locator('.group-rest') });
  await expect(read).not.toHaveClass(/unread/);
  await expectNotReloaded(other);

  // A sixth after reading is a new unread row, at the top.
  await comment('Fy');
  for (const tab of [inbox, other]) await expect(bubble(tab)).toHaveText('2');
  await expect(rows(inbox).first().locator('.item-title')).toHaveText('Fy commented on “Release notes 1.4”');
  await expect(rows(inbox).first().locator('.group-rest')).toHaveCount(0);
  await expect(rows(other)).toHaveCount(3);
  await inbox.context().close();
});
