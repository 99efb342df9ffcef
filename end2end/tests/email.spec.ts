import { test, expect, type Browser, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:net';
import { README_SHOTS, loginAs, waitLive, waitHydrated } from './helpers';
import { audit } from './a11y';
import { Api, Herald } from './server';

// Email digests end to end: a user gives an address on Account and turns
// email on for a category on Settings; what the bell did not show in time
// arrives over SMTP (a sink in this test); its HTML renders in Chromium,
// and its unsubscribe link works in a browser without a session.

const SMTP_PORT = 3626;
const messages: string[] = [];
let sink: Server;

/** A mail server that keeps what it is sent. */
function startSink(): Promise<void> {
  sink = createServer((socket) => {
    let buffer = '';
    let data = false;
    let message = '';
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data) {
          if (line === '.') {
            data = false;
            messages.push(message);
            message = '';
            socket.write('250 kept\r\n');
          } else {
            message += `${line}\r\n`;
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-sink\r\n250 OK\r\n');
        else if (verb === 'DATA') {
          data = true;
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  return new Promise((resolve) => sink.listen(SMTP_PORT, '127.0.0.1', resolve));
}

const herald = Herald.fresh(3450, '.data-email', {
  HERALD_SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
  HERALD_PUBLIC_URL: 'http://127.0.0.1:3450/',
  HERALD_EMAIL_AFTER_MINUTES: '0.02',
  HERALD_EMAIL_FROM: 'Herald <herald@example.com>',
});
test.describe.configure({ mode: 'serial' });
let admin: Api;
let aliceId: string;
test.beforeAll(async () => {
  await startSink();
  await herald.start();
  admin = await herald.api('admin');
  aliceId = await admin.userId('alice');
});
test.afterAll(async () => {
  await admin.dispose();
  await herald.stop();
  sink.close();
});

/** The decoded body of the message's part of `type`. */
function part(message: string, type: string): string {
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(message)?.[1];
  const parts = boundary ? message.split(`--${boundary}`) : [message];
  const found = parts.find((p) => new RegExp(`Content-Type: ${type}`, 'i').test(p));
  if (!found) throw new Error(`no ${type} part in\n${message}`);
  const split = found.indexOf('\r\n\r\n');
  const [head, body] = [found.slice(0, split), found.slice(split + 4)];
  if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

const login = (browser: Browser, username: string): Promise<Page> => loginAs(browser, username, { baseURL: herald.url });

test('what the bell did not show in time arrives as one digest, and its link unsubscribes without a session', async ({ browser }) => {
  const alice = await login(browser, 'alice');
  await alice.goto(`${herald.url}/account`);
  await waitLive(alice);
  await waitHydrated(alice, '.account-forms');
  await alice.getByLabel('Email address').fill('alice@example.com');
  await alice.getByRole('button', { name: 'Save email' }).click();
  await expect(alice.getByText('Saved.')).toBeVisible();

  await alice.goto(`${herald.url}/settings`);
  await waitLive(alice);
  await waitHydrated(alice, '.switches');
  const email = alice.getByRole('checkbox', { name: 'Info by email when unseen' });
  await expect(email).not.toBeChecked();
  await email.check();
  await expect(alice.getByText('Saved.')).toBeVisible();

  // Sent while alice's page is open, but her bell's panel stays shut.
  await admin.send(aliceId, 'Your export is ready');
  await admin.send(aliceId, 'Bo shared a folder with you');
  await expect.poll(() => messages.length, { timeout: 15_000 }).toBe(1);
  const message = messages[0];
  expect(message).toMatch(/^To: .*alice@example\.com/m);
  expect(message).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
  const html = part(message, 'text/html');
  expect(part(message, 'text/plain')).toContain('Your export is ready');

  const shown = await (await browser.newContext()).newPage();
  await shown.setContent(html);
  await expect(shown.getByRole('link', { name: 'Your export is ready' })).toBeVisible();
  await expect(shown.getByRole('link', { name: 'Bo shared a folder with you' })).toBeVisible();
  await shown.screenshot({ path: `${README_SHOTS}/email-digest.png`, animations: 'disabled' });
  await audit(shown, 'the digest email');

  // The link at its foot, followed in a browser with no session: it asks
  // first, then turns email off for Info.
  const unsubscribe = await shown.getByRole('link', { name: 'Stop these emails' }).getAttribute('href');
  await shown.goto(unsubscribe!);
  await expect(shown.getByText('Stop emails about Info?')).toBeVisible();
  await audit(shown, 'unsubscribe, asked');
  await shown.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(shown.getByText('Unsubscribed: no more emails about Info.')).toBeVisible();
  await audit(shown, 'unsubscribe, done');
  await shown.context().close();

  await alice.reload();
  await expect(alice.getByRole('checkbox', { name: 'Info by email when unseen' })).not.toBeChecked();
  await alice.context().close();
});
