// <herald-bell>: Herald's bell for any site. Plain JavaScript, no build step.
//
//   <script src="https://herald.example.com/embed/herald-bell.js" defer></script>
//   <herald-bell server="https://herald.example.com" token-url="/herald/token"></herald-bell>
//
// `token-url` is a URL on your own site that answers one user's connection
// token as Herald mints it ({"token": "…", "expires_at": …}); the element
// fetches it with your cookies and again before it expires. Or set `token`.
// It speaks Herald's live protocol (WebSocket, server-sent events when that
// cannot connect, resume from the last sequence number it applied) and
// reads and changes notifications through /api/v1/me with the token.
// Style it with CSS custom properties (--herald-accent, --herald-bg, …)
// and ::part(button | badge | panel | item | title | action | group). It
// speaks English and German: `lang` on it, or the page's, chooses. It tells the
// page what happens with herald-unread, herald-notification, herald-live and
// herald-error events; herald-bell.d.ts beside this file has the types.
// Its styles are a constructed stylesheet, so a page whose CSP forbids
// inline styles needs no exception for it.
(() => {
  if (customElements.get('herald-bell')) return;
  // Without a `server` attribute: the Herald this script came from.
  const ORIGIN = document.currentScript ? new URL(document.currentScript.src).origin : location.origin;

  const STYLE = `
:host { --herald-accent: #4f46e5; --herald-bg: #fff; --herald-fg: #111827;
  --herald-muted: #5f6b7f; --herald-border: #e5e7eb; --herald-badge: #e11d48;
  --herald-unread: #eef2ff; display: inline-block; position: relative;
  font: 14px/1.4 system-ui, sans-serif; color: var(--herald-fg); }
@media (prefers-color-scheme: dark) { :host { --herald-bg: #1f2937; --herald-fg: #f9fafb;
  --herald-accent: #a5b4fc; --herald-muted: #aab1bd; --herald-border: #374151;
  --herald-unread: #312e81; } }
button { font: inherit; cursor: pointer; }
.bell { position: relative; background: none; border: 0; padding: 6px; color: inherit; border-radius: 6px; }
.bell:focus-visible, .panel button:focus-visible, .panel a:focus-visible { outline: 2px solid var(--herald-accent); outline-offset: 2px; }
.bell svg { width: 22px; height: 22px; display: block; }
.badge { position: absolute; top: 0; inset-inline-end: 0; min-width: 18px; height: 18px; padding: 0 5px;
  box-sizing: border-box; border-radius: 9px; background: var(--herald-badge); color: #fff;
  font-size: 11px; font-weight: 700; line-height: 18px; text-align: center; }
.panel { position: absolute; inset-inline-end: 0; top: calc(100% + 6px); width: min(360px, 90vw); z-index: 1000; color: var(--herald-fg);
  background: var(--herald-bg); border: 1px solid var(--herald-border); border-radius: 10px;
  box-shadow: 0 10px 30px rgb(0 0 0 / .15); }
.head { display: flex; flex-wrap: wrap; gap: 4px 8px; justify-content: space-between; align-items: center; padding: 10px 12px;
  border-bottom: 1px solid var(--herald-border); }
.head h2 { font-size: 15px; margin: 0; }
.link { background: none; border: 0; color: var(--herald-accent); padding: 2px 4px; white-space: nowrap; }
ul { list-style: none; margin: 0; padding: 0; max-height: 420px; overflow: auto; }
li { padding: 10px 12px; border-bottom: 1px solid var(--herald-border); }
li.unread { background: var(--herald-unread); }
.title { font-weight: 600; color: inherit; text-decoration: none; display: block; }
a.title:hover { text-decoration: underline; }
.body { margin: 2px 0; color: var(--herald-fg); white-space: pre-line; }
.meta { display: flex; flex-wrap: wrap; gap: 2px 8px; align-items: center; color: var(--herald-muted); font-size: 12px; }
.actions { display: flex; gap: 6px; margin: 6px 0 2px; }
.action { font: inherit; font-size: 12px; font-weight: 600; padding: 2px 10px; border-radius: 999px;
  border: 1px solid var(--herald-accent); background: none; color: var(--herald-accent); cursor: pointer; }
.done { font-size: 12px; font-weight: 600; color: var(--herald-muted); }
.group { margin: 2px 0; font-size: 12px; color: var(--herald-muted); }
.group summary { cursor: pointer; }
.group ul { margin: 4px 0 0; padding-inline-start: 14px; list-style: disc; max-height: none; }
.group li { padding: 1px 0; border: 0; background: none; }
.closed { font-size: 12px; color: var(--herald-muted); text-decoration: line-through; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.empty, .error { padding: 16px 12px; color: var(--herald-muted); margin: 0; }
.error { color: var(--herald-badge); }
[hidden] { display: none !important; }`;

  const BELL = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">' +
    '<path d="M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"/><path d="M13.7 21a2 2 0 0 1-3.4 0"/></svg>';
  const PAGE = 20;
  // One stylesheet shared by every bell on the page; a <style> element only
  // where constructed sheets are missing (they are in every current browser).
  let sheet = null;
  const adoptStyle = (root) => {
    if ('adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype) {
      if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(STYLE); }
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(el('style', { textContent: STYLE }));
    }
  };

  // Every word it shows, per language ({name} fills in; a plural's forms
  // by Intl.PluralRules). Titles and bodies are the sender's: never
  // translated. Herald fills this in as it serves the file, from the same
  // catalogues as its own pages (locales/<lang>/embed.ftl).
  const MESSAGES = {};
  // The element's language: its `lang`, else the nearest ancestor's or the
  // page's, else the browser's; English for any we do not ship.
  const language = (node) => {
    const asked = (node.closest('[lang]')?.getAttribute('lang') || navigator.language || 'en').toLowerCase();
    const base = asked.split('-')[0];
    return Object.hasOwn(MESSAGES, base) ? base : 'en';
  };
  const translate = (lang, key, values = {}) => {
    let message = MESSAGES[lang][key];
    if (typeof message === 'object') message = message[new Intl.PluralRules(lang).select(values.n ?? 0)] ?? message.other;
    return message.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
  };

  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };
  // "now", "5 min. ago", "vor 3 Std.": the platform's words; a date after a day.
  const ago = (lang, ms) => {
    const s = Math.max(0, (Date.now() - ms) / 1000);
    const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'short' });
    if (s < 60) return rtf.format(0, 'second');
    if (s < 3600) return rtf.format(-Math.floor(s / 60), 'minute');
    if (s < 86400) return rtf.format(-Math.floor(s / 3600), 'hour');
    return new Date(ms).toLocaleDateString(lang);
  };
  // "Ana", "Ana and Bo", "Ana, Bo and Cy", "Ana, Bo and 2 others".
  const actorsLine = (lang, names) => {
    const and = translate(lang, 'and');
    if (names.length <= 1) return names[0] || '';
    if (names.length === 2) return `${names[0]} ${and} ${names[1]}`;
    const last = names.length === 3 ? names[2] : translate(lang, 'others', { n: names.length - 2 });
    return `${names[0]}, ${names[1]} ${and} ${last}`;
  };
  // Notifications the server put in one row (same group_key and group)
  // show as one, at the place of its newest.
  const toRows = (sorted) => {
    const rows = [];
    const at = new Map();
    for (const n of sorted) {
      const key = n.group_key != null && n.group != null ? `${n.group_key} ${n.group}` : null;
      if (key !== null && at.has(key)) { rows[at.get(key)].rest.push(n); continue; }
      if (key !== null) at.set(key, rows.length);
      rows.push({ lead: n, rest: [] });
    }
    return rows;
  };
  // Only web links are followed: a javascript: URL in a title's link is not.
  const safeLink = (link) => {
    try {
      const url = new URL(link, location.href);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch { return null; }
  };

  class HeraldBell extends HTMLElement {
    static observedAttributes = ['token', 'lang'];

    /** Its words per language, for tests and for pages that check them. */
    static messages = MESSAGES;

    attributeChangedCallback(name, old, value) {
      if (!this.isConnected || !this.shadowRoot || old === value) return;
      // A page that sets `token` itself hands over a fresh one this way.
      if (name === 'token') this.start();
      else this.relabel();
    }

    /** The text of `key` in the element's language. */
    t(key, values) {
      return translate(language(this), key, values);
    }

    // The fixed words, again in the element's language.
    relabel() {
      this.readAll.textContent = this.t('markAllRead');
      this.heading.textContent = this.t('notifications');
      this.panel.setAttribute('aria-label', this.t('notifications'));
      this.showCount();
      if (this.loaded) this.draw();
    }

    connectedCallback() {
      if (!this.shadowRoot) this.render();
      this.stopped = false;
      this.seq = 0;
      this.unread = 0;
      this.countSeq = -1;
      this.items = new Map();
      this.failures = 0;
      this.socketFailures = 0;
      this.start();
    }

    disconnectedCallback() {
      this.stopped = true;
      this.closeLive();
      clearTimeout(this.refreshTimer);
      clearTimeout(this.retryTimer);
      clearTimeout(this.watchdog);
    }

    get server() {
      return (this.getAttribute('server') || ORIGIN).replace(/\/$/, '');
    }

    /** Whether the live connection is up (also `data-link="live"`). */
    get live() {
      return this.dataset.link === 'live';
    }

    open() { if (this.panel) this.toggle(true); }

    close() { if (this.panel) this.toggle(false); }

    // Events bubble out of the element (and out of a shadow root it sits in).
    emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }

    render() {
      const root = this.attachShadow({ mode: 'open' });
      this.button = el('button', { className: 'bell', type: 'button' });
      this.button.setAttribute('part', 'button');
      this.button.setAttribute('aria-haspopup', 'dialog');
      this.button.setAttribute('aria-expanded', 'false');
      this.button.innerHTML = BELL; // a constant: no user text
      this.badge = el('span', { className: 'badge', hidden: true });
      this.badge.setAttribute('part', 'badge');
      this.badge.setAttribute('aria-hidden', 'true');
      this.button.append(this.badge);
      this.readAll = el('button', { className: 'link', type: 'button' });
      this.list = el('ul');
      this.status = el('p', { className: 'empty', textContent: this.t('loading') });
      this.heading = el('h2');
      this.panel = el('div', { className: 'panel', hidden: true },
        el('div', { className: 'head' }, this.heading, this.readAll),
        this.status, this.list);
      this.panel.setAttribute('part', 'panel');
      this.panel.setAttribute('role', 'dialog');
      adoptStyle(root);
      root.append(this.button, this.panel);
      this.button.addEventListener('click', () => this.toggle());
      this.readAll.addEventListener('click', () =>
        this.call('POST', '/notifications/read-all').catch((e) => this.fail(this.t('failed', { error: e.message }))));
      this.addEventListener('keydown', (e) => {
        if (e.key === 'Escape' && !this.panel.hidden) { this.toggle(false); this.button.focus(); }
      });
      document.addEventListener('click', (e) => {
        if (!this.panel.hidden && !e.composedPath().includes(this)) this.toggle(false);
      });
      this.relabel();
    }

    // --- the token -------------------------------------------------------

    async fetchToken() {
      const url = this.getAttribute('token-url');
      if (!url) {
        const token = this.getAttribute('token');
        if (!token) throw new Error('no token');
        return token;
      }
      const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`token-url answered ${res.status}`);
      const { token, expires_at: expiresAt } = await res.json();
      clearTimeout(this.refreshTimer);
      if (expiresAt) {
        // Fetched again a little before it expires; the socket resumes on it.
        const left = expiresAt - Date.now();
        this.refreshTimer = setTimeout(() => this.refresh(), Math.max(1000, left - Math.min(30000, left / 5)));
      }
      return token;
    }

    async refresh() {
      if (this.stopped) return;
      try {
        this.token = await this.fetchToken();
      } catch {
        this.refreshTimer = setTimeout(() => this.refresh(), 5000);
      }
    }

    // --- the live connection --------------------------------------------

    async start() {
      try {
        this.token = await this.fetchToken();
      } catch (error) {
        this.fail(this.t('cannotSignIn', { error: error.message }));
        return this.retry();
      }
      if (!this.stopped) this.connect();
    }

    connect() {
      this.closeLive();
      if (this.useSse) return this.connectSse();
      const url = `${this.server.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(this.token)}`;
      const ws = new WebSocket(url);
      let greeted = false;
      this.ws = ws;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'resume', after: this.seq }));
      ws.onmessage = (e) => {
        const msg = JSON.parse(e.data);
        greeted ||= msg.type === 'hello' || msg.type === 'resync';
        this.receive(msg);
      };
      ws.onclose = (e) => {
        if (this.ws !== ws || this.stopped) return;
        this.ws = null;
        this.setLive(false);
        // Twice no greeting (a proxy that blocks sockets): events instead.
        if (!greeted && ++this.socketFailures >= 2) this.useSse = true;
        if (e.code === 4001) return this.fail(this.t('signedOut'));
        if (e.code === 4002) {
          return this.getAttribute('token-url') ? this.start() : this.fail(this.t('tokenExpired'));
        }
        this.retry();
      };
    }

    connectSse() {
      const url = `${this.server}/events?token=${encodeURIComponent(this.token)}&after=${this.seq}`;
      const source = new EventSource(url);
      this.sse = source;
      source.onmessage = (e) => this.receive(JSON.parse(e.data));
      source.onerror = () => {
        // A fresh token each time: the old one may be why it ended.
        source.close();
        if (this.sse !== source || this.stopped) return;
        this.sse = null;
        this.setLive(false);
        this.retry();
      };
    }

    // A connection silent for two heartbeats is dead: replaced, it resumes.
    watch() {
      clearTimeout(this.watchdog);
      this.watchdog = setTimeout(() => this.connect(), 2 * (this.heartbeatMs || 25000) + 5000);
    }

    closeLive() {
      clearTimeout(this.watchdog);
      this.setLive(false);
      if (this.ws) { const ws = this.ws; this.ws = null; ws.close(); }
      if (this.sse) { this.sse.close(); this.sse = null; }
    }

    retry() {
      clearTimeout(this.retryTimer);
      const wait = Math.min(30000, 500 * 2 ** Math.min(this.failures++, 6)) * (0.5 + Math.random() / 2);
      this.retryTimer = setTimeout(() => this.start(), wait);
    }

    setLive(live) {
      const was = this.live;
      this.dataset.link = live ? 'live' : 'connecting';
      if (was !== live) this.emit('herald-live', { live });
    }

    receive(msg) {
      this.watch();
      switch (msg.type) {
        case 'hello':
        case 'resync':
          this.failures = 0;
          this.heartbeatMs = msg.heartbeat_ms;
          this.setLive(true);
          this.setCount(msg.unread, msg.seq);
          this.seq = Math.max(this.seq, msg.seq);
          if (msg.type === 'resync' || this.loaded) this.load();
          return;
        case 'missed':
          this.upsert(msg.notification);
          this.seq = Math.max(this.seq, msg.notification.version);
          return;
        case 'created':
        case 'updated':
        case 'all_read': {
          const seq = msg.type === 'all_read' ? msg.seq : msg.notification.version;
          if (seq <= this.seq) return;
          if (seq > this.seq + 1) return this.connect(); // missed one: resume
          this.seq = seq;
          if (msg.type === 'all_read') {
            for (const n of this.items.values()) {
              if (n.seq <= msg.up_to && n.read_at == null) n.read_at = msg.read_at;
            }
            this.draw();
          } else {
            this.upsert(msg.notification);
          }
          this.setCount(msg.unread, seq);
          if (msg.type === 'created') this.emit('herald-notification', { notification: msg.notification });
          return;
        }
        default:
      }
    }

    // --- state -------------------------------------------------------------

    setCount(unread, seq) {
      if (seq < this.countSeq) return;
      // The first count from the server is news too, even a 0.
      const changed = this.countSeq < 0 || this.unread !== unread;
      this.countSeq = seq;
      this.unread = unread;
      this.showCount();
      if (changed) this.emit('herald-unread', { unread });
    }

    showCount() {
      const n = this.unread || 0;
      this.badge.hidden = n === 0;
      this.badge.textContent = n > 99 ? '99+' : String(n);
      this.button.setAttribute('aria-label', n ? this.t('unreadLabel', { n }) : this.t('notifications'));
    }

    upsert(n) {
      const old = this.items.get(n.id);
      if (old && old.version >= n.version) return;
      if (n.archived_at != null || n.retracted_at != null || n.snoozed_until != null) this.items.delete(n.id);
      else this.items.set(n.id, n);
      this.draw();
    }

    async load() {
      try {
        const page = await this.call('GET', `/notifications?limit=${PAGE}`);
        this.items = new Map(page.notifications.map((n) => [n.id, n]));
        this.loaded = true;
        this.draw();
      } catch (error) {
        this.fail(this.t('cannotLoad', { error: error.message }));
      }
    }

    async call(method, path, renewed = false) {
      const res = await fetch(`${this.server}/api/v1/me${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
      });
      // Expired meanwhile: once more with a fresh token.
      if (res.status === 401 && !renewed && this.getAttribute('token-url')) {
        await this.refresh();
        return this.call(method, path, true);
      }
      if (!res.ok) throw new Error(`${res.status}`);
      return res.status === 204 ? null : res.json();
    }

    fail(message) {
      this.status.hidden = false;
      this.status.className = 'error';
      this.status.textContent = message;
      this.status.setAttribute('role', 'alert');
      this.emit('herald-error', { message });
    }

    // --- the panel -------------------------------------------------------

    toggle(open = this.panel.hidden) {
      this.panel.hidden = !open;
      this.button.setAttribute('aria-expanded', String(open));
      if (open && !this.loaded) this.load();
      if (open) this.panel.querySelector('a, button')?.focus();
    }

    draw() {
      const rows = toRows([...this.items.values()].sort((a, b) => b.seq - a.seq)).slice(0, PAGE);
      this.status.className = 'empty';
      this.status.removeAttribute('role');
      this.status.textContent = this.t('empty');
      this.status.hidden = rows.length > 0 || !this.loaded;
      this.list.replaceChildren(...rows.map((r) => this.item(r.lead, r.rest)));
    }

    // One row; a group's actions act on the whole row (the server's rule).
    item(n, rest = []) {
      const unread = [n, ...rest].some((m) => m.read_at == null);
      const href = n.link && safeLink(n.link);
      const title = href
        ? el('a', { className: 'title', href, textContent: n.title })
        : el('span', { className: 'title', textContent: n.title });
      title.setAttribute('part', 'title');
      if (href) {
        title.addEventListener('click', async (e) => {
          e.preventDefault();
          if (unread) await this.call('POST', `/notifications/${n.id}/read`).catch(() => {});
          location.assign(href);
        });
      }
      const failed = (e) => this.fail(this.t('failed', { error: e.message }));
      const toggleRead = el('button', { className: 'link', type: 'button', textContent: this.t(unread ? 'markRead' : 'markUnread') });
      toggleRead.addEventListener('click', () =>
        this.call('POST', `/notifications/${n.id}/${unread ? 'read' : 'unread'}`).catch(failed));
      const archive = el('button', { className: 'link', type: 'button', textContent: this.t('archive') });
      archive.addEventListener('click', () =>
        this.call('POST', `/notifications/${n.id}/archive`).catch(failed));
      // Back in an hour, live, in every tab.
      const snooze = el('button', { className: 'link', type: 'button', textContent: this.t('snooze') });
      snooze.addEventListener('click', () =>
        this.call('POST', `/notifications/${n.id}/snooze?until=${Date.now() + 3600000}`)
          .catch(failed));
      toggleRead.setAttribute('aria-label', `${toggleRead.textContent}: ${n.title}`);
      archive.setAttribute('aria-label', `${archive.textContent}: ${n.title}`);
      // The visible text leads the name, so speech control finds it.
      snooze.setAttribute('aria-label', `${snooze.textContent}: ${n.title}`);
      const li = el('li', { className: unread ? 'unread' : '' },
        title,
        n.body ? el('p', { className: 'body', textContent: n.body }) : '',
        this.actions(n),
        this.rest(n, rest),
        el('div', { className: 'meta' }, el('span', { textContent: ago(language(this), n.created_at) }), toggleRead, archive, snooze));
      li.setAttribute('part', 'item');
      return li;
    }

    // "and 3 more · Ana, Bo and 2 others", opening to the rest of the row.
    rest(n, rest) {
      if (rest.length === 0) return '';
      const lang = language(this);
      const who = actorsLine(lang, [...new Set([n, ...rest].map((m) => m.actor).filter(Boolean))]);
      const more = this.t('more', { n: rest.length });
      const details = el('details', { className: 'group' },
        el('summary', { textContent: `${more}${who ? ` · ${who}` : ''}` }),
        el('ul', {}, ...rest.map((m) => el('li', { textContent: `${m.title} · ${ago(lang, m.created_at)}` }))));
      details.setAttribute('part', 'group');
      return details;
    }

    // The notification's own buttons: a link action records the click and
    // then opens its (http(s)) address; webhook actions are one choice,
    // made once: the chosen one shows done, the others closed.
    actions(n) {
      if (!n.actions || n.actions.length === 0) return '';
      const chosen = n.chosen_action ?? null;
      return el('div', { className: 'actions' }, ...n.actions.map((action, i) => {
        if (!action.url && chosen === i) {
          return el('span', { className: 'done', textContent: `✓ ${action.label}` });
        }
        if (!action.url && chosen !== null) {
          return el('span', { className: 'closed', textContent: action.label },
            el('span', { className: 'sr', textContent: this.t('notChosen') }));
        }
        const button = el('button', { className: 'action', type: 'button', textContent: action.label });
        button.setAttribute('part', 'action');
        button.addEventListener('click', async () => {
          try {
            const done = await this.call('POST', `/notifications/${n.id}/actions/${i}`);
            const href = done && done.url && safeLink(done.url);
            if (href) location.assign(href);
          } catch (e) {
            this.fail(this.t('failed', { error: e.message }));
          }
        });
        return button;
      }));
    }
  }

  customElements.define('herald-bell', HeraldBell);
})();
