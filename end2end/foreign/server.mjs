// Another site for the browser tests: a page that embeds <herald-bell> and
// the backend view that mints its user's connection token with an API key,
// as an integrator's Django or Node app would. The test hands it the key
// (POST /configure) once it has made one on Herald's admin page.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

const PORT = Number(process.env.FOREIGN_PORT ?? 3600);
const HERALD = process.env.HERALD_URL ?? 'http://127.0.0.1:3100';
let apiKey = null;
const tokensMinted = {};
// The integrator's webhook receiver for notifications' actions: it checks
// Herald-Signature with the shared secret, as docs/webhooks.md shows.
const WEBHOOK_SECRET = process.env.WEBHOOK_SECRET ?? '';
const hooks = [];
// A stand-in for a browser's push service: it keeps what Herald pushes
// (still encrypted) for the test to decrypt with the device's keys.
const pushes = [];
const verified = (header, raw) => {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=')));
  if (!parts.t || !parts.v1) return false;
  const expected = createHmac('sha256', WEBHOOK_SECRET).update(`${parts.t}.${raw}`).digest('hex');
  return expected.length === parts.v1.length && timingSafeEqual(Buffer.from(expected), Buffer.from(parts.v1));
};

// In German with ?lang=de: the page's lang is all the bell needs to follow.
const WORDS = {
  en: { orders: 'Your orders', signedIn: 'Signed in as' },
  de: { orders: 'Ihre Bestellungen', signedIn: 'Angemeldet als' },
};
const page = (user, ttl, lang = 'en') => `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>Shop</title>
<script src="${HERALD}/embed/herald-bell.js" defer></script>
<style>body{font-family:system-ui;margin:0}header{display:flex;justify-content:space-between;
align-items:center;padding:10px 20px;background:#0f766e;color:#fff}
herald-bell{--herald-accent:#0f766e;color:#fff}main{padding:20px}
@media (prefers-color-scheme:dark){herald-bell{--herald-accent:#5eead4}}</style></head>
<body><header><strong>Shop</strong>
<herald-bell server="${HERALD}" token-url="/token?user=${encodeURIComponent(user)}&ttl=${ttl}"></herald-bell>
</header><main><h1>${WORDS[lang].orders}</h1><p>${WORDS[lang].signedIn} ${user.replace(/[^\w-]/g, '')}.</p></main></body></html>`;

// The same page under a strict Content-Security-Policy, as a careful site
// serves it: no inline style or script without the nonce, connections only
// to Herald. It also shows what the bell's events tell the page.
const NONCE = 'shop-nonce-1';
const strictCsp = () => {
  const herald = new URL(HERALD);
  const ws = `${herald.protocol === 'https:' ? 'wss:' : 'ws:'}//${herald.host}`;
  return [
    "default-src 'none'",
    `script-src ${HERALD}/embed/herald-bell.js 'nonce-${NONCE}'`,
    `style-src 'nonce-${NONCE}'`,
    `connect-src 'self' ${HERALD} ${ws}`,
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
};
const strictPage = (user) => page(user, 300)
  .replace('<style>', `<style nonce="${NONCE}">`)
  .replace('</main>', `<output id="unread"></output> <output id="news"></output> <output id="live"></output></main>
<script nonce="${NONCE}">
const show = (id, text) => { document.getElementById(id).textContent = text; };
document.addEventListener('herald-unread', (e) => show('unread', 'unread ' + e.detail.unread));
document.addEventListener('herald-notification', (e) => show('news', 'new: ' + e.detail.notification.title));
document.addEventListener('herald-live', (e) => show('live', e.detail.live ? 'live' : 'offline'));
</script>`);

const body = (req) => new Promise((resolve) => {
  let data = '';
  req.on('data', (chunk) => (data += chunk));
  req.on('end', () => resolve(data));
});

http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  if (url.pathname === '/healthz') return res.end('ok');
  if (url.pathname === '/configure' && req.method === 'POST') {
    apiKey = JSON.parse(await body(req)).key;
    return res.end('ok');
  }
  if (url.pathname.startsWith('/hooks/') && req.method === 'POST') {
    const raw = await body(req);
    hooks.push({ path: url.pathname, verified: verified(req.headers['herald-signature'], raw), body: JSON.parse(raw) });
    res.statusCode = 204;
    return res.end();
  }
  if (url.pathname.startsWith('/push/') && req.method === 'POST') {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    pushes.push({
      device: url.pathname.slice('/push/'.length),
      encoding: req.headers['content-encoding'],
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks).toString('base64'),
    });
    res.statusCode = 201;
    return res.end();
  }
  if (url.pathname === '/pushes') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify(pushes));
  }
  if (url.pathname === '/hooks') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify(hooks));
  }
  if (url.pathname === '/stats') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify(tokensMinted));
  }
  const user = url.searchParams.get('user') ?? 'shopper';
  if (url.pathname === '/token') {
    // In a real app: the logged-in user's id, never one from the query.
    const minted = await fetch(`${HERALD}/api/v1/connection-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ external_id: user, ttl_seconds: Number(url.searchParams.get('ttl') ?? 300) }),
    });
    tokensMinted[user] = (tokensMinted[user] ?? 0) + 1;
    res.statusCode = minted.status;
    res.setHeader('content-type', 'application/json');
    return res.end(await minted.text());
  }
  res.setHeader('content-type', 'text/html; charset=utf-8');
  if (url.searchParams.get('csp') === 'strict') {
    res.setHeader('content-security-policy', strictCsp());
    return res.end(strictPage(user));
  }
  const lang = url.searchParams.get('lang') === 'de' ? 'de' : 'en';
  res.end(page(user, Number(url.searchParams.get('ttl') ?? 300), lang));
}).listen(PORT);
