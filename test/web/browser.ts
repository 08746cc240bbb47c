// End-to-end support: the real server (`server/main.ts`, demo mode) in its own process, Debian's
// chromium driven by playwright-core (never a browser download), login as a demo user, screenshots
// kept as test artifacts under test-results/screenshots/, and a watch on every request the page
// makes so a test can prove none left this server.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freePort, REPO_ROOT, startServer, type Spawned } from '../durability/harness';
import { openScratchDatabase, testServerUrl } from '../support/db';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');
export const DEMO_PASSWORD = 'demo';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=zh-CN'];

/**
 * Skips the suite visibly when Debian's chromium is not installed (`apt-get install chromium`); in CI
 * (CI=true, where .ci/run installs it) a missing browser fails instead of passing as skipped.
 */
export function requireChromium(ctx: Mocha.Context): void {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.env.CI === 'true') throw new Error(`CI needs Debian's chromium at ${CHROMIUM_PATH} (.ci/run installs it)`);
  console.log(`      SKIPPED (needs Debian's chromium at ${CHROMIUM_PATH}: apt-get install chromium)`);
  ctx.skip();
}

export interface WebServer {
  baseUrl: string;
  proc: Spawned;
  stop(): Promise<void>;
}

/**
 * Starts `server/main.ts` in demo mode on a database of its own: a scratch database on the test
 * PostgreSQL server with DATABASE_URL, else PGlite in a temporary data directory.
 */
export async function startWebServer(name: string, env: Record<string, string> = {}): Promise<WebServer> {
  const port = await freePort();
  let dataDir: string | undefined;
  let databaseUrl = '';
  let dropDatabase: (() => Promise<void>) | undefined;
  if (testServerUrl !== undefined) {
    const scratch = await openScratchDatabase();
    const { rows } = await scratch.knex.raw<{ rows: Array<{ name: string }> }>('select current_database() as name');
    const url = new URL(testServerUrl);
    url.pathname = `/${rows[0].name}`;
    databaseUrl = url.toString();
    await scratch.knex.destroy().catch(() => undefined); // the server process gets the database to itself
    dropDatabase = scratch.drop;
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'bzf-web-'));
  }
  const { proc, baseUrl } = await startServer(name, {
    databaseUrl,
    port,
    startTimeoutMs: 90_000,
    env: { ...(dataDir ? { DATA_DIR: dataDir } : {}), ...env },
  });
  return {
    baseUrl,
    proc,
    async stop() {
      await proc.kill('SIGTERM');
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase?.().catch(() => undefined);
    },
  };
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** every request URL the pages made that did not go to the server under test */
  foreignRequests: string[];
  /** console errors and uncaught page errors, for failure messages */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openBrowser(baseUrl: string): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ baseURL: baseUrl, locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
  const origin = new URL(baseUrl).origin;
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) foreignRequests.push(url);
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  return {
    browser,
    context,
    page,
    foreignRequests,
    pageErrors,
    close: async () => {
      await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
    },
  };
}

/** Logs in on `/` with a demo user (password `demo`) and waits for the menu. */
export async function login(page: Page, username: string, next?: string): Promise<void> {
  await page.goto(next ? `/?next=${encodeURIComponent(next)}` : '/');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('navigation', { name: '主菜单' }).waitFor();
}

/** Saves a full-page screenshot as a test artifact; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
