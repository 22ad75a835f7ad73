/* global AbortSignal, document, localStorage, sessionStorage -- browser globals: inside page.waitForFunction/evaluate, which run in the page */
/**
 * Browser test of the modeler app against the real server.
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
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = join(ROOT, 'test/browser/fixtures');
const RESULTS = join(ROOT, 'test-results');
const SERVER_ENTRY = join(ROOT, 'dist/api/main.js');
const APP_INDEX = join(ROOT, 'modeler/dist/index.html');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HEALTH_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 15_000;
const PASSWORD = 'demo';
/** The demo users the checks sign in as (created by the server on a fresh embedded database). */
const ADMIN = { username: 'admin', displayName: 'Demo administrator', roles: ['admin'] };
const STAFF = { username: 'staff', displayName: 'Demo staff member', roles: ['staff'] };
const AUDITOR = { username: 'auditor', displayName: 'Demo auditor', roles: ['auditor'] };

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

async function startServer() {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'itsm-browser-'));
  const env = { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', WORKERS: '1' };
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- checks

const results = [];

/**
 * Runs one named check in its own browser context and page. Uncaught page errors fail the check;
 * a failure is reported, screenshotted and does not stop the run.
 */
async function check(browser, name, body) {
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
  } catch (error) {
    failure = error;
  }
  const ms = Date.now() - started;
  if (failure || process.env.SCREENSHOTS === 'all') {
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

function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n').slice(0, 3).join(' ');
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Shared between scenarios: the instance the task-list scenario completed. */
const state = { instanceId: null };

/** Fills in and submits the login view (which must be showing). */
async function submitLogin(page, username, password) {
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Signs in through the login view and waits for the header to show the user. */
async function signIn(page, user) {
  await submitLogin(page, user.username, PASSWORD);
  await page.locator(`[data-testid="current-user"][data-username="${user.username}"]`).waitFor();
}

/** Opens the app at `hash` (no session in a fresh context, so the login view comes first) and signs in. */
async function openAs(page, baseUrl, user, hash = '#/definitions') {
  await page.goto(`${baseUrl}/${hash}`);
  await signIn(page, user);
}

async function signOut(page) {
  await page.getByTestId('logout').click();
  await page.getByTestId('login-form').waitFor();
}

async function wrongPasswordShowsError(page, baseUrl) {
  await page.goto(`${baseUrl}/#/definitions`);
  await submitLogin(page, ADMIN.username, 'not-the-password');
  const error = page.getByTestId('login-error');
  await error.filter({ hasText: 'invalid username or password' }).waitFor();
  assert((await page.getByTestId('login-password').inputValue()) === '', 'the wrong password was left in the field');
  assert((await page.getByTestId('session').count()) === 0, 'the app is showing after a refused login');
  if (process.env.SCREENSHOTS === 'all') {
    await mkdir(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'login-wrong-password-form.png') });
  }

  // The right password then opens the app where the URL pointed, showing who is signed in.
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('definitions-table').waitFor();
  const name = await page.getByTestId('current-user').innerText();
  const roles = await page.getByTestId('user-roles').innerText();
  assert(name === ADMIN.displayName, `header shows "${name}"`);
  assert(roles.includes('admin'), `header roles are "${roles}"`);
  assert((await page.getByTestId('login-form').count()) === 0, 'the login view is still showing');
}

async function modelerDeploysDefaultDiagram(page, baseUrl) {
  await openAs(page, baseUrl, ADMIN, '#/modeler');
  await page.locator('.djs-element[data-element-id="Task_Handle"]').waitFor();
  await page.getByTestId('deploy').click();
  const text = page.getByTestId('message-text');
  await text.filter({ hasText: 'Deployed new-process version 1' }).waitFor();

  // Opened from the definitions list, the deployed version round-trips unchanged (camunda:*
  // attributes included), so deploying it again is recognised, not a new version.
  await page.getByRole('link', { name: 'Definitions', exact: true }).first().click();
  await page.locator('[data-testid="definition-row"][data-key="new-process"] a').click();
  await page.locator('[data-ready="true"] .djs-element[data-element-id="Task_Handle"]').waitFor();
  await page.getByTestId('deploy').click();
  await text.filter({ hasText: 'Identical to version 1 (not redeployed)' }).waitFor();
}

async function uploadShowsProblems(page, baseUrl) {
  await openAs(page, baseUrl, ADMIN);
  await page.getByTestId('definitions-table').waitFor();
  await page.getByTestId('upload-input').setInputFiles(join(FIXTURES, 'script-task.bpmn'));
  const problem = page.locator('[data-testid="problems"] li[data-element-id="Task_Script"]');
  await problem.waitFor();
  const text = await problem.innerText();
  assert(text.includes('Task_Script'), `problem entry does not name the element: ${text}`);
  const message = await page.getByTestId('message-text').innerText();
  assert(/^422\b/.test(message), `expected a 422 problem, got: ${message}`);
}

async function modelerHighlightsProblem(page, baseUrl) {
  await openAs(page, baseUrl, ADMIN, '#/modeler');
  await page.locator('.djs-element[data-element-id="Task_Handle"]').waitFor();
  await page.getByTestId('open-file').setInputFiles(join(FIXTURES, 'script-task.bpmn'));
  const element = page.locator('.djs-element[data-element-id="Task_Script"]');
  await element.waitFor();
  await page.getByTestId('deploy').click();
  const problem = page.locator('[data-testid="problems"] li[data-element-id="Task_Script"] button');
  await problem.waitFor();
  await problem.click();
  await page.waitForFunction(() => {
    const el = document.querySelector('.djs-element[data-element-id="Task_Script"]');
    return el?.classList.contains('selected') && el.classList.contains('itsm-problem-focus');
  });
}

/** The administrator deploys; a staff member (signed in after the administrator signs out) starts, claims and completes. */
async function claimAndCompleteTask(page, baseUrl) {
  await openAs(page, baseUrl, ADMIN);
  await page.getByTestId('upload-input').setInputFiles(join(FIXTURES, 'service-request.bpmn'));
  await page.getByTestId('message-text').filter({ hasText: 'Deployed browser-service-request version 1' }).waitFor();

  await signOut(page);
  const notice = await page.getByTestId('login-notice').innerText();
  assert(/signed out/i.test(notice), `login view notice after signing out: "${notice}"`);
  await signIn(page, STAFF);
  assert((await page.getByTestId('upload').count()) === 0, 'staff are offered the deploy upload');

  const row = page.locator('[data-testid="definition-row"][data-key="browser-service-request"]');
  await row.getByTestId('start-instance').click();
  const link = page.getByTestId('instance-link');
  await link.waitFor();
  const href = await link.getAttribute('href');
  const instanceId = href?.split('/').pop();
  assert(instanceId, `no instance id in ${href}`);

  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await page.getByTestId('task-filter-kind').selectOption('candidateGroup');
  await page.getByTestId('task-filter-group').fill('servicedesk');
  await page.getByTestId('task-filter-apply').click();
  const card = page.locator(`[data-testid="task"][data-instance-id="${instanceId}"]`);
  await card.waitFor();

  await card.getByTestId('claim').click();
  await card.getByTestId('unclaim').waitFor();
  assert((await card.innerText()).includes(STAFF.username), 'the claimed task does not show its assignee');

  await card.getByTestId('task-variables').fill('{ "fulfilled": true, "note": "done in the browser test" }');
  await card.getByTestId('complete').click();
  await page.getByTestId('message-text').filter({ hasText: 'Completed "Fulfil request"' }).waitFor();
  await card.waitFor({ state: 'detached' });
  state.instanceId = instanceId;
}

async function instanceViewShowsHistory(page, baseUrl) {
  assert(state.instanceId, 'no completed instance (the task scenario failed)');
  await openAs(page, baseUrl, STAFF, `#/instances/${state.instanceId}`);
  await page.locator('[data-ready="true"]').waitFor();
  const status = await page.getByTestId('instance-status').innerText();
  assert(status === 'completed', `status is "${status}"`);
  const variables = await page.getByTestId('instance-variables').innerText();
  assert(variables.includes('"fulfilled": true'), `variables do not show the submitted values: ${variables}`);

  const events = page.getByTestId('history-event');
  assert((await events.count()) >= 3, `only ${await events.count()} history events`);
  const historyText = await page.getByTestId('history').innerText();
  assert(historyText.includes('Task_Fulfil') && historyText.includes(STAFF.username), 'history does not mention the task and its actor');

  const taskClasses = (await page.locator('.djs-element[data-element-id="Task_Fulfil"]').getAttribute('class')) ?? '';
  assert(taskClasses.includes('itsm-completed'), `completed task not marked on the diagram: ${taskClasses}`);

  await page.getByTestId('verify-history').click();
  const verdict = page.getByTestId('verify-result');
  await verdict.filter({ hasText: /^valid/ }).waitFor();
}

/** An administrator sees every task but is no candidate of "Fulfil request": the server's 403 reason shows. */
async function forbiddenShowsReason(page, baseUrl) {
  await openAs(page, baseUrl, ADMIN);
  const row = page.locator('[data-testid="definition-row"][data-key="browser-service-request"]');
  await row.getByTestId('start-instance').click();
  const link = page.getByTestId('instance-link');
  await link.waitFor();
  const instanceId = (await link.getAttribute('href'))?.split('/').pop();

  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await page.getByTestId('task-filter-kind').selectOption('candidateGroup');
  await page.getByTestId('task-filter-group').fill('servicedesk');
  await page.getByTestId('task-filter-apply').click();
  const card = page.locator(`[data-testid="task"][data-instance-id="${instanceId}"]`);
  await card.getByTestId('claim').click();
  const message = page.locator('[data-testid="messages"] [data-tone="error"] [data-testid="message-text"]');
  await message.waitFor();
  const text = await message.innerText();
  assert(/^403\b/.test(text), `expected a 403 problem, got: ${text}`);
  assert(/candidate/i.test(text), `the 403 does not give the reason: ${text}`);
}

/** Auditors read only: no deploy (modeler, upload), no start, no task actions. */
async function auditorIsReadOnly(page, baseUrl) {
  await openAs(page, baseUrl, AUDITOR);
  const roles = await page.getByTestId('user-roles').innerText();
  assert(roles.includes('auditor'), `header roles are "${roles}"`);
  await page.locator('[data-testid="definition-row"][data-key="browser-service-request"]').waitFor();
  assert((await page.getByTestId('start-instance').count()) === 0, 'the auditor is offered "Start instance"');
  assert((await page.getByTestId('upload').count()) === 0, 'the auditor is offered the deploy upload');

  await page.getByRole('link', { name: 'Modeler', exact: true }).click();
  await page.locator('.djs-element[data-element-id="Task_Handle"]').waitFor();
  await page.getByTestId('deploy-hint').waitFor();
  assert((await page.getByTestId('deploy').count()) === 0, 'the auditor sees a Deploy button');

  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await page.getByTestId('read-only').waitFor();
  await page.getByTestId('task-filter-kind').selectOption('candidateGroup');
  await page.getByTestId('task-filter-group').fill('servicedesk');
  await page.getByTestId('task-filter-apply').click();
  await page.getByTestId('task').first().waitFor();
  const actions = await page.locator('[data-testid="task"] button').count();
  assert(actions === 0, `the auditor is offered ${actions} task action(s)`);
}

/** A reload restores the session from the refresh cookie; after signing out it does not. */
async function reloadKeepsSessionUntilSignOut(page, baseUrl) {
  await openAs(page, baseUrl, STAFF, '#/tasks');
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert(!/eyJ/.test(storage), 'a token was written to web storage');

  await page.reload();
  await page.locator(`[data-testid="current-user"][data-username="${STAFF.username}"]`).waitFor();
  await page.getByTestId('task-list').waitFor();
  assert((await page.getByTestId('login-form').count()) === 0, 'the login view is showing after a reload');

  await signOut(page);
  await page.reload();
  await page.getByTestId('login-form').waitFor();
  assert((await page.getByTestId('session').count()) === 0, 'signed in again after signing out and reloading');
}

/** A 401 is retried once after a refresh, without bothering the user. */
async function unauthorizedIsRefreshedOnce(page, baseUrl) {
  await openAs(page, baseUrl, STAFF);
  // The list must have loaded first: the table shows before its rows, and a 401 meant for the
  // next visit would otherwise hit this first load (and its refresh could finish unobserved).
  await definitionRow(page).waitFor();
  await page.route('**/api/definitions', (route) => route.fulfill(problem401()), { times: 1 });
  const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/auth/refresh') && r.status() === 200);
  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await page.getByRole('link', { name: 'Definitions', exact: true }).click();
  await refreshed;
  await page.locator('[data-testid="definition-row"][data-key="browser-service-request"]').waitFor();
  assert((await page.getByTestId('login-form').count()) === 0, 'the login view is showing although the refresh worked');
}

/** A 401 that a refresh cannot cure (the refresh cookie is gone) shows the login view; signing in resumes. */
async function expiredSessionShowsLogin(page, baseUrl) {
  await openAs(page, baseUrl, STAFF);
  await definitionRow(page).waitFor(); // loaded, so the 401 below meets the next visit's request
  await page.context().clearCookies();
  await page.route('**/api/definitions', (route) => route.fulfill(problem401()), { times: 1 });
  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await page.getByRole('link', { name: 'Definitions', exact: true }).click();
  const notice = page.getByTestId('login-notice');
  await notice.waitFor();
  assert(/session has ended/i.test(await notice.innerText()), `login notice: "${await notice.innerText()}"`);
  await signIn(page, STAFF);
  await page.locator('[data-testid="definition-row"][data-key="browser-service-request"]').waitFor();
}

/** The access token is refreshed shortly before `expiresIn` runs out (the page's clock is moved on). */
async function tokenIsRefreshedBeforeExpiry(page, baseUrl) {
  await page.clock.install();
  await openAs(page, baseUrl, STAFF, '#/tasks');
  await page.getByTestId('task-list').waitFor();
  const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/auth/refresh') && r.status() === 200);
  await page.clock.fastForward('15:00'); // the server's access tokens live 900 s by default
  await refreshed;
  await page.getByTestId('task-filter-apply').click();
  await page.getByTestId('task-list').locator('li').first().waitFor();
  assert((await page.getByTestId('login-form').count()) === 0, 'the login view is showing after the timed refresh');
}

function definitionRow(page) {
  return page.locator('[data-testid="definition-row"][data-key="browser-service-request"]');
}

function problem401() {
  return {
    status: 401,
    contentType: 'application/problem+json',
    headers: { 'WWW-Authenticate': 'Bearer realm="itsm-orchestrator", error="invalid_token"' },
    body: JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'the access token has expired', code: 'UNAUTHENTICATED' }),
  };
}

// ---------------------------------------------------------------- main

async function main() {
  for (const [file, hint] of [
    [SERVER_ENTRY, 'npm run build:server'],
    [APP_INDEX, 'npm run build:modeler'],
    [CHROMIUM, 'apt-get install -y chromium'],
  ]) {
    if (!existsSync(file)) throw new Error(`${file} is missing (${hint})`);
  }

  const server = await startServer();
  let browser = null;
  const stop = async () => {
    await browser?.close().catch(() => {});
    await server.stop();
  };
  const onSignal = (signal) => void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    const { baseUrl } = server;

    await check(browser, 'login-wrong-password', (page) => wrongPasswordShowsError(page, baseUrl));
    await check(browser, 'modeler-deploy', (page) => modelerDeploysDefaultDiagram(page, baseUrl));
    await check(browser, 'upload-problems', (page) => uploadShowsProblems(page, baseUrl));
    await check(browser, 'modeler-problem-highlight', (page) => modelerHighlightsProblem(page, baseUrl));
    await check(browser, 'task-claim-complete', (page) => claimAndCompleteTask(page, baseUrl));
    await check(browser, 'instance-history', (page) => instanceViewShowsHistory(page, baseUrl));
    await check(browser, 'forbidden-reason', (page) => forbiddenShowsReason(page, baseUrl));
    await check(browser, 'auditor-read-only', (page) => auditorIsReadOnly(page, baseUrl));
    await check(browser, 'session-reload-signout', (page) => reloadKeepsSessionUntilSignOut(page, baseUrl));
    await check(browser, 'refresh-on-401', (page) => unauthorizedIsRefreshedOnce(page, baseUrl));
    await check(browser, 'session-expired', (page) => expiredSessionShowsLogin(page, baseUrl));
    await check(browser, 'token-refresh-timer', (page) => tokenIsRefreshedBeforeExpiry(page, baseUrl));
  } finally {
    const failed = results.filter((r) => !r.ok).length;
    if (failed) console.log(`--- server output (tail) ---\n${server.log().split('\n').slice(-30).join('\n')}`);
    await stop();
  }
}

main()
  .catch((error) => {
    console.log(`FAIL setup: ${error instanceof Error ? error.message : error}`);
    results.push({ name: 'setup', ok: false });
  })
  .finally(() => {
    const failed = results.filter((r) => !r.ok).length;
    console.log(`${results.length - failed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  });
