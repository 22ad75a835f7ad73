/* global AbortSignal, document, localStorage, sessionStorage -- browser globals: inside page.waitForFunction/evaluate, which run in the page */
/**
 * Harness of the browser tests (test/browser/run.mjs runs every spec in test/browser/specs/).
 *
 * Needs `npm run build` first (dist/api/main.js and modeler/dist). Starts the server on a free
 * port with a fresh embedded PGlite directory (so the demo users exist, password `demo`), drives
 * Chromium (/usr/bin/chromium, never downloaded) through the UI, prints one line per check and
 * finally `N passed, M failed`. Every check runs in its own browser context (own cookies, so
 * its own session) and signs in through the login view.
 * A failed check leaves a screenshot in test-results/<check>.png. SCREENSHOTS=all keeps one per check.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = join(ROOT, 'test/browser/fixtures');
export const RESULTS = join(ROOT, 'test-results');
export const SERVER_ENTRY = join(ROOT, 'dist/api/main.js');
export const APP_INDEX = join(ROOT, 'modeler/dist/index.html');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HEALTH_TIMEOUT_MS = 180_000; // first start deploys eight flows and seeds demo records: slow on a loaded 2-core machine
const STEP_TIMEOUT_MS = 15_000;
export const PASSWORD = 'demo';
/** The demo users the checks sign in as (created by the server on a fresh embedded database). */
export const ADMIN = { username: 'admin', displayName: 'Demo administrator', roles: ['admin'] };
export const STAFF = { username: 'staff', displayName: 'Demo staff member', roles: ['staff'] };
export const AUDITOR = { username: 'auditor', displayName: 'Demo auditor', roles: ['auditor'] };

// ---------------------------------------------------------------- server

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

export async function startServer() {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'itsm-browser-'));
  const env = { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', WORKERS: '1', DEMO_RECORDS: process.env.DEMO_RECORDS ?? '40' };
  // Always the embedded PGlite in a fresh directory, whatever this shell points at.
  delete env.DATABASE_URL;
  delete env.STATIC_DIR;

  const child = spawn(process.execPath, [SERVER_ENTRY], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const keep = (chunk) => {
    output.push(String(chunk));
    if (output.length > 200) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));

  const server = {
    baseUrl: `http://127.0.0.1:${port}`,
    log: () => output.join(''),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const stopped = await Promise.race([exited, sleep(5_000).then(() => null)]);
        if (!stopped) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let exit = null;
  exited.then((e) => (exit = e));
  while (Date.now() < deadline) {
    if (exit) break;
    try {
      const res = await fetch(`${server.baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  const why = exit ? `exited with ${exit.code ?? exit.signal}` : `not healthy after ${HEALTH_TIMEOUT_MS / 1000} s`;
  await server.stop();
  throw new Error(`server ${why}\n${server.log()}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- checks

export const results = [];

/**
 * Runs one named check in its own browser context and page. Uncaught page errors fail the check;
 * a failure is reported, screenshotted and does not stop the run.
 */
export async function check(browser, name, body, { allowConsole = [] } = {}) {
  if (process.env.ONLY && !process.env.ONLY.split(',').includes(name)) return;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const pageErrors = [];
  const consoleErrors = [];
  const traffic = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  page.on('response', (r) => traffic.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`));
  page.on('requestfailed', (r) => traffic.push(`${r.method()} ${new URL(r.url()).pathname} failed: ${r.failure()?.errorText}`));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  const started = Date.now();
  let failure = null;
  try {
    await body(page);
    if (pageErrors.length) throw new Error(`uncaught page error: ${pageErrors.map((e) => e.message).join(' | ')}`);
    const unexpected = consoleErrors.filter((text) => !allowConsole.some((pattern) => pattern.test(text)));
    if (unexpected.length) throw new Error(`browser console error: ${unexpected.slice(0, 3).join(' | ')}`);
  } catch (error) {
    failure = error;
  }
  const ms = Date.now() - started;
  if (failure || process.env.SCREENSHOTS !== 'none') {
    await mkdir(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true }).catch(() => {});
  }
  await context.close();
  results.push({ name, ok: !failure });
  if (failure) {
    console.log(`FAIL ${name} (${ms} ms): ${firstLine(failure)}`);
    if (consoleErrors.length) console.log(`     console errors: ${consoleErrors.slice(0, 5).join(' | ')}`);
    console.log(`     API traffic (last 15): ${traffic.filter((t) => t.includes('/api/')).slice(-15).join(' | ')}`);
    console.log(`     screenshot: test-results/${name}.png`);
  } else {
    console.log(`PASS ${name} (${ms} ms)`);
  }
}

export function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n').slice(0, 3).join(' ');
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Fills in and submits the login view (which must be showing). */
export async function submitLogin(page, username, password) {
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Signs in through the login view and waits for the header to show the user. */
export async function signIn(page, user) {
  await submitLogin(page, user.username, PASSWORD);
  await page.locator(`[data-testid="current-user"][data-username="${user.username}"]`).waitFor();
}

/** Opens the app at `hash` (no session in a fresh context, so the login view comes first) and signs in. */
export async function openAs(page, baseUrl, user, hash = '#/definitions') {
  await page.goto(`${baseUrl}/${hash}`);
  await signIn(page, user);
}

export async function signOut(page) {
  await page.getByTestId('logout').click();
  await page.getByTestId('login-form').waitFor();
}


/** Saves a screenshot of the page as test-results/<name>.png (not committed; SCREENSHOTS=none skips). */
export async function screenshot(page, name) {
  if (process.env.SCREENSHOTS === 'none') return;
  await mkdir(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}

/** Requests the JSON API as `user` (signs in through /api/auth/login) and returns the parsed body. */
export async function api(baseUrl, user, method, path, body) {
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: PASSWORD }),
  });
  if (login.status !== 200 && login.status !== 201) throw new Error(`sign-in of ${user.username}: ${login.status}`);
  const { accessToken } = await login.json();
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
