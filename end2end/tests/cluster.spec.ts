import { test, expect, type Page } from '@playwright/test';
import { CLUSTER_URL, INSTANCES } from '../playwright.config';
import { bubble, loginAs, markNoReload, expectNotReloaded, send, waitLive } from './helpers';

// Through nginx (deploy/nginx/herald.conf) to two instances sharing one
// PostgreSQL database: see scripts/cluster.sh.
test.use({ baseURL: CLUSTER_URL });

/** Open WebSockets on each instance, from its own /metrics. */
async function sockets(request: any): Promise<number[]> {
  return Promise.all(
    INSTANCES.map(async (base) => {
      const text = await (await request.get(`${base}/metrics`)).text();
      const line = text.split('\n').find((l: string) => l.startsWith('herald_connections{transport="websocket"}'));
      return line ? Number(line.split(' ').pop()) : 0;
    }),
  );
}

/** Which instance gained a socket between `before` and now. */
async function landed(request: any, before: number[]): Promise<number> {
  let now = before;
  await expect(async () => {
    now = await sockets(request);
    expect(now.reduce((a, b) => a + b)).toBeGreaterThan(before.reduce((a, b) => a + b));
  }).toPass();
  return now[0] > before[0] ? 0 : 1;
}

test("alice's tabs on different instances both update live when the admin sends", async ({ browser, request }) => {
  const admin = await loginAs(browser, 'admin');
  await admin.goto('/admin');
  await waitLive(admin);

  let before = await sockets(request);
  const first = await loginAs(browser, 'alice');
  await waitLive(first);
  const firstOn = await landed(request, before);

  // More tabs of the same session, until nginx has put one's socket on
  // the other instance.
  const tabs: Page[] = [first];
  let otherOn = firstOn;
  while (otherOn === firstOn && tabs.length < 12) {
    before = await sockets(request);
    const tab = await first.context().newPage();
    await tab.goto('/');
    await waitLive(tab);
    otherOn = await landed(request, before);
    tabs.push(tab);
  }
  expect(otherOn).not.toBe(firstOn);
  for (const tab of tabs) await markNoReload(tab);

  await send(admin, 'alice', 'Across instances');
  for (const tab of tabs) await expect(bubble(tab)).toHaveText('1', { timeout: 3_000 });
  await send(admin, 'alice', 'And again');
  for (const tab of tabs) await expect(bubble(tab)).toHaveText('2', { timeout: 3_000 });
  for (const tab of tabs) await expectNotReloaded(tab);
  await tabs[tabs.length - 1].locator('header').screenshot({ path: 'screenshots/cluster-tab.png', animations: 'disabled' });
});
