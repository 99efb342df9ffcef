import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { request, type APIRequestContext } from '@playwright/test';
import { PASSWORD } from '../playwright.config';

/** A Herald process these tests start and stop themselves. */
export class Herald {
  private process?: ChildProcess;
  private output = '';

  constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly env: Record<string, string> = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A fresh, empty data directory. */
  static fresh(port: number, dataDir: string, env: Record<string, string> = {}): Herald {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    return new Herald(port, dataDir, env);
  }

  /** Another server on the same database, listening elsewhere. */
  sibling(port: number): Herald {
    return new Herald(port, this.dataDir, this.env);
  }

  async start(): Promise<void> {
    this.process = spawn('../target/debug/herald', [], {
      env: {
        ...process.env,
        HERALD_DATABASE_URL: `sqlite://${this.dataDir}/herald.db`,
        HERALD_SEED_PASSWORD: PASSWORD,
        LEPTOS_SITE_ROOT: '../target/site',
        LEPTOS_SITE_ADDR: `127.0.0.1:${this.port}`,
        RUST_LOG: 'warn',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process.stdout?.on('data', (d) => (this.output += d));
    this.process.stderr?.on('data', (d) => (this.output += d));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`Herald exited:\n${this.output}`);
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Herald did not start on ${this.url}:\n${this.output}`);
  }

  /** SIGTERM, as an orchestrator would send, and wait for the exit. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([
      exited,
      new Promise((_, reject) => setTimeout(() => reject(new Error('Herald did not stop in 10 s')), 10_000)),
    ]);
  }

  /** An HTTP client logged in as `username`, for calling server functions. */
  async api(username: string): Promise<Api> {
    const context = await request.newContext({ baseURL: this.url });
    const res = await context.post('/api/login', {
      form: { username, password: PASSWORD },
      headers: { accept: 'application/json' },
    });
    if (res.status() !== 200) throw new Error(`login as ${username}: ${res.status()}`);
    return new Api(context);
  }
}

export class Api {
  constructor(private readonly context: APIRequestContext) {}

  async userId(username: string): Promise<string> {
    const res = await this.context.post('/api/admin/recipients', { headers: { accept: 'application/json' } });
    const users: { id: number; username: string }[] = await res.json();
    const user = users.find((u) => u.username === username);
    if (!user) throw new Error(`no user ${username}`);
    return String(user.id);
  }

  /** Sends a notification; `recipient` is a user id or "everyone". */
  async send(recipient: string, title: string, category = 'info'): Promise<void> {
    const res = await this.context.post('/api/admin/send', {
      form: { title, body: '', link: '', recipient, category, confirm: 'on' },
      headers: { accept: 'application/json' },
    });
    if (res.status() !== 200) throw new Error(`send: ${res.status()} ${await res.text()}`);
  }

  /** Sends a notification with a link; throws with the status if refused. */
  async sendWithLink(recipient: string, title: string, link: string): Promise<void> {
    const res = await this.context.post('/api/admin/send', {
      form: { title, body: '', link, recipient },
      headers: { accept: 'application/json' },
    });
    if (res.status() !== 200) throw new Error(`send: ${res.status()} ${await res.text()}`);
  }

  /** Whether `username` has a live connection, as the admin's users list says. */
  async isOnline(username: string): Promise<boolean> {
    const res = await this.context.post('/api/admin/users', { form: { search: username }, headers: { accept: 'application/json' } });
    const users: { username: string; online: boolean }[] = await res.json();
    return users.some((u) => u.username === username && u.online);
  }

  /** Makes an integration API key on the admin page; its secret. */
  async createApiKey(name: string): Promise<string> {
    const res = await this.context.post('/api/admin/api-keys/create', {
      form: { name },
      headers: { accept: 'application/json' },
    });
    if (res.status() !== 200) throw new Error(`api key: ${res.status()} ${await res.text()}`);
    return res.json();
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
  }
}
