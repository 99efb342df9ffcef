import { defineConfig } from '@playwright/test';

// Herald's browser tests run against the debug build that `make test` makes
// with `cargo leptos build --split`, on a fresh SQLite database each run.
const PORT = Number(process.env.HERALD_E2E_PORT ?? 3100);
export const PASSWORD = 'e2e-password';
/** The shared Herald most specs test. */
export const HERALD_URL = `http://127.0.0.1:${PORT}`;
/** nginx in front of two instances (deploy/nginx/herald.conf). */
export const CLUSTER_URL = 'http://127.0.0.1:3500';
export const INSTANCES = ['http://127.0.0.1:3501', 'http://127.0.0.1:3502'];
/** Another site that embeds <herald-bell> (foreign/server.mjs); allowed below. */
export const FOREIGN_URL = 'http://127.0.0.1:3600';
/** The example Django shop (examples/django-shop), started by its spec; allowed below. */
export const SHOP_URL = 'http://127.0.0.1:3700';
/** Signs the webhooks of notifications' actions; the other site checks it. */
export const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789abcdef';
const POSTGRES = process.env.HERALD_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';

export default defineConfig({
  testDir: './tests',
  // The tests share one server and its demo users, so they run in order.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: [{
    command: 'rm -rf .data && mkdir -p .data && exec ../target/debug/herald',
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      HERALD_ENV: 'development',
      HERALD_DATABASE_URL: 'sqlite://.data/herald.db',
      HERALD_SEED_PASSWORD: PASSWORD,
      HERALD_ALLOWED_ORIGINS: `${FOREIGN_URL},${SHOP_URL}`,
      HERALD_WEBHOOK_SECRET: WEBHOOK_SECRET,
      // The foreign site's webhooks are on this machine, inside the network.
      HERALD_WEBHOOK_ALLOW: '127.0.0.1',
      LEPTOS_SITE_ROOT: '../target/site',
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
      RUST_LOG: 'warn',
    },
  },
  {
    command: 'exec node foreign/server.mjs',
    url: `${FOREIGN_URL}/healthz`,
    reuseExistingServer: false,
    timeout: 10_000,
    env: { FOREIGN_PORT: '3600', HERALD_URL: `http://127.0.0.1:${PORT}`, WEBHOOK_SECRET },
  },
  // Two instances on one PostgreSQL database behind nginx, for
  // cluster.spec.ts: the README's recipe, run by the same script.
  {
    command:
      `psql ${POSTGRES}/postgres -qc 'DROP DATABASE IF EXISTS herald_e2e WITH (FORCE)' -c 'CREATE DATABASE herald_e2e'` +
      ' && exec ../scripts/cluster.sh',
    url: `${CLUSTER_URL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      HERALD_ENV: 'development',
      HERALD_DATABASE_URL: `${POSTGRES}/herald_e2e`,
      HERALD_SEED_PASSWORD: PASSWORD,
      RUST_LOG: 'warn',
    },
  }],
});
