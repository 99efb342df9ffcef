import { test, expect, request, type Page } from '@playwright/test';
import { README_SHOTS, bubble, loginAs, waitLive } from './helpers';

test('an admin creates an API key, it works, and revoking it stops it at once', async ({ browser, baseURL }) => {
  const admin = await loginAs(browser, 'admin');
  await admin.goto('/admin');
  await waitLive(admin);
  await admin.getByLabel('Key name').fill('Django production');
  await admin.getByRole('button', { name: 'Create key' }).click();
  const secret = (await admin.getByTestId('new-api-key').textContent())!.trim();
  expect(secret).toMatch(/^hk_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/);
  const row = admin.locator('section.keys .keys-table tr', { hasText: 'Django production' });
  await expect(row).toContainText(secret.slice(0, 11));
  await expect(row).not.toContainText(secret.slice(12));
  await admin.screenshot({ path: 'screenshots/admin-keys.png', fullPage: true, animations: 'disabled' });

  const api = await request.newContext({ baseURL });
  const send = () =>
    api.post('/api/v1/notifications', {
      headers: { authorization: `Bearer ${secret}` },
      data: { recipients: [{ external_id: 'django:7' }], title: 'From the API' },
    });
  expect((await send()).status()).toBe(201);

  // Retracting takes it out of alice's open page, live.
  const alice = await loginAs(browser, 'alice');
  await waitLive(alice);
  const before = Number((await bubble(alice).count()) ? await bubble(alice).textContent() : 0);
  const aliceId = (await (await admin.request.post('/api/admin/recipients', { headers: { accept: 'application/json' } })).json())
    .find((u: { username: string }) => u.username === 'alice').id;
  const sent = await api.post('/api/v1/notifications', {
    headers: { authorization: `Bearer ${secret}` },
    data: { recipients: [{ user_id: aliceId }], title: 'Sent by mistake' },
  });
  const id = (await sent.json()).notifications[0].id;
  await expect(alice.locator('.feed .item-title', { hasText: 'Sent by mistake' })).toHaveCount(1);
  await expect(bubble(alice)).toHaveText(String(before + 1));
  const retracted = await api.delete(`/api/v1/notifications/${id}`, { headers: { authorization: `Bearer ${secret}` } });
  expect(retracted.status()).toBe(204);
  await expect(alice.locator('.feed .item-title', { hasText: 'Sent by mistake' })).toHaveCount(0);
  if (before === 0) await expect(bubble(alice)).toHaveCount(0);
  else await expect(bubble(alice)).toHaveText(String(before));

  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('Revoked');
  const refused = await send();
  expect(refused.status()).toBe(401);
  expect(refused.headers()['content-type']).toBe('application/problem+json');
  await api.dispose();
});

test('the console shows delivery, seen and read rising, and a retract leaves every page', async ({ browser }) => {
  const admin = await loginAs(browser, 'admin');
  await admin.goto('/admin');
  await waitLive(admin);
  const alice = await loginAs(browser, 'alice');
  const bob = await loginAs(browser, 'bob');
  for (const page of [alice, bob]) await waitLive(page);

  await admin.locator('select[name=recipient]').selectOption({ label: 'Everyone' });
  await admin.locator('input[name=title]').fill('All hands at 3pm');
  await admin.locator('select[name=expires_in]').selectOption({ label: 'In a day' });
  // The preview follows the form.
  await expect(admin.locator('.preview .item-title')).toHaveText('All hands at 3pm');
  // Everyone needs a confirmation.
  await admin.getByRole('button', { name: 'Send' }).click();
  await expect(admin.locator('.field-error[data-field=confirm]')).toBeVisible();
  await admin.locator('input[name=confirm]').check();
  await admin.getByRole('button', { name: 'Send' }).click();
  const row = admin.locator('.sent-table tr', { hasText: 'All hands at 3pm' });
  await expect(row.locator('.expiry')).toHaveText('expires in 1 day');
  await expect(row.locator('[data-count=delivered]')).not.toHaveText('0');
  await expect(row.locator('[data-count=read]')).toHaveText('0');

  // Alice and bob open the bell (seen), then read it.
  for (const page of [alice, bob]) {
    await page.locator('a.bell').click();
    const item = page.locator('#bell-panel .item', { hasText: 'All hands at 3pm' });
    await expect(item).toHaveCount(1);
    await item.getByRole('button', { name: 'Mark read' }).click();
    await expect(page.locator('#bell-panel .item.unread', { hasText: 'All hands at 3pm' })).toHaveCount(0);
  }
  await expect(row.locator('[data-count=seen]')).toHaveText('2', { timeout: 5_000 });
  await expect(row.locator('[data-count=read]')).toHaveText('2', { timeout: 5_000 });
  await admin.screenshot({ path: 'screenshots/admin-console.png', fullPage: true, animations: 'disabled' });
  await admin.screenshot({ path: `${README_SHOTS}/admin-console.png`, animations: 'disabled' });

  // A retract takes it off alice's open page, live.
  await alice.keyboard.press('Escape');
  await expect(alice.locator('.feed .item-title', { hasText: 'All hands at 3pm' })).toHaveCount(1);
  await row.getByRole('button', { name: 'Retract' }).click();
  await expect(row).toContainText('Retracted');
  await expect(alice.locator('.feed .item-title', { hasText: 'All hands at 3pm' })).toHaveCount(0);
  await expect(bob.locator('.feed .item-title', { hasText: 'All hands at 3pm' })).toHaveCount(0);
});

test('an admin schedules a send for later and cancels it before its time', async ({ browser }) => {
  const admin = await loginAs(browser, 'admin');
  await admin.goto('/admin');
  await waitLive(admin);
  await admin.locator('select[name=recipient]').selectOption({ label: 'alice' });
  await admin.locator('input[name=title]').fill('Quarterly review tomorrow');
  await admin.locator('select[name=send_in]').selectOption({ label: 'In an hour' });
  await admin.getByRole('button', { name: 'Send' }).click();
  await expect(admin.locator('.success')).toContainText('Scheduled “Quarterly review tomorrow” for 1 recipient');
  const row = admin.locator('.sent-table tr', { hasText: 'Quarterly review tomorrow' });
  await expect(row.locator('.scheduled')).toHaveText('scheduled, in 1 hour');
  // Nothing counted before it goes out: a dash, read as "not sent".
  await expect(row.locator('[data-count=recipients]')).toHaveText('–not sent');
  await row.scrollIntoViewIfNeeded();
  await admin.screenshot({ path: `${README_SHOTS}/admin-scheduled.png`, animations: 'disabled' });
  await row.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toContainText('Cancelled');
  await expect(row.getByRole('button')).toHaveCount(0);
});

test("the admin console's code is downloaded by the admin page only", async ({ browser }) => {
  // The main module is pkg/herald[.hash].wasm; the admin console is a chunk
  // split off it (`make release`, `--split`), fetched when it is shown.
  const chunks = (page: Page) => {
    const seen: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.endsWith('.wasm') && !/^\/pkg\/herald(\.[\w-]+)?\.wasm$/.test(path)) seen.push(path);
    });
    return seen;
  };
  const alice = await loginAs(browser, 'alice');
  const aliceChunks = chunks(alice);
  await alice.goto('/notifications');
  await waitLive(alice);
  await alice.goto('/');
  await waitLive(alice);
  expect(aliceChunks).toEqual([]);

  const admin = await loginAs(browser, 'admin');
  const adminChunks = chunks(admin);
  await waitLive(admin);
  expect(adminChunks).toEqual([]);
  // Opened from the header: the server renders the console, and its island
  // fetches the chunk to hydrate.
  await admin.getByRole('link', { name: 'Admin', exact: true }).click();
  await expect(admin.getByRole('heading', { name: 'Send a notification' })).toBeVisible();
  await expect.poll(() => adminChunks.length).toBeGreaterThan(0);
  await admin.getByLabel('Key name').fill('Chunk check');
  await admin.getByRole('button', { name: 'Create key' }).click();
  await expect(admin.getByTestId('new-api-key')).toBeVisible();

  // Loaded directly: the console hydrates once the chunk is in.
  const direct = await loginAs(browser, 'admin');
  const directChunks = chunks(direct);
  await direct.goto('/admin');
  await waitLive(direct);
  await expect.poll(() => directChunks.length).toBeGreaterThan(0);
});
