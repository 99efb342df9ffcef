// The baseline the load tool measures Herald against: the Node `ws`
// recipe people copy (an HTTP endpoint that pushes JSON to the sockets of
// a user, kept in a Map), speaking just enough of Herald's API for the
// load tool to drive it. It stores nothing: no database, no sequence that
// survives a restart, no resume, so it shows the cost of the socket work
// alone. Run by `load --binary load/baseline/server.js`.
'use strict';

const http = require('http');
const { WebSocketServer } = require('ws');

const [host, port] = (process.env.LEPTOS_SITE_ADDR || '127.0.0.1:3000').split(':');
const heartbeatMs = Number(process.env.HERALD_HEARTBEAT_MS || 30000);

// external id -> { seq, unread, sockets }
const users = new Map();
const user = (id) => {
  let u = users.get(id);
  if (!u) {
    u = { seq: 0, unread: 0, sockets: new Set() };
    users.set(id, u);
  }
  return u;
};
let nextId = 1;

function deliver(id, title, body) {
  const u = user(id);
  u.seq += 1;
  u.unread += 1;
  const now = Date.now();
  const message = JSON.stringify({
    type: 'created',
    notification: {
      id: nextId++, seq: u.seq, version: u.seq, title, body, link: null,
      category: 'info', actor: null, created_at: now, seen_at: null,
      read_at: null, archived_at: null,
    },
    unread: u.unread,
  });
  for (const socket of u.sockets) socket.send(message);
  return { user_id: id, seq: u.seq };
}

function answer(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

const server = http.createServer((req, res) => {
  let data = '';
  req.on('data', (chunk) => { data += chunk; });
  req.on('end', () => {
    const path = req.url.split('?')[0];
    if (path === '/readyz') return answer(res, 200, { ready: true });
    // The admin's login and key: accepted as they are.
    if (path === '/api/login') return answer(res, 200, { ok: true });
    if (path === '/api/admin/api-keys/create') return answer(res, 200, 'baseline-key');
    let body;
    try { body = JSON.parse(data || '{}'); } catch { return answer(res, 400, { error: 'json' }); }
    // A token is the user's id: the recipe checks nothing more.
    if (path === '/api/v1/connection-tokens') {
      return answer(res, 201, { token: encodeURIComponent(body.external_id) });
    }
    if (path === '/api/v1/notifications') {
      const ids = body.broadcast ? [...users.keys()] : body.recipients.map((r) => r.external_id);
      const sent = ids.map((id) => deliver(id, body.title, body.body));
      return answer(res, body.broadcast ? 202 : 201, { notifications: sent });
    }
    answer(res, 404, { error: 'not found' });
  });
});

const sockets = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  const token = new URL(req.url, 'http://x').searchParams.get('token');
  if (!token) return socket.destroy();
  sockets.handleUpgrade(req, socket, head, (ws) => {
    const u = user(decodeURIComponent(token));
    // Live from its first message (Herald's resume), greeted like Herald.
    ws.once('message', () => {
      u.sockets.add(ws);
      ws.send(JSON.stringify({ type: 'hello', unread: u.unread, seq: u.seq, heartbeat_ms: heartbeatMs }));
    });
    ws.on('close', () => u.sockets.delete(ws));
  });
});

server.listen(Number(port), host);
