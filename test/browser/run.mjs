/**
 * Browser tests of the app against the real server.
 *
 * Needs `npm run build` first (dist/api/main.js and modeler/dist). Starts the server on a free
 * port with a fresh embedded PGlite directory (so the demo users exist, password `demo`), drives
 * Chromium (/usr/bin/chromium, never downloaded) through the UI, prints one line per check and
 * finally `N passed, M failed`. Every spec in test/browser/specs/ (in file-name order) exports a
 * list of checks `{ name, run(page, baseUrl), allowConsole? }`; each check runs in its own browser
 * context (own cookies, so its own session) and fails on an uncaught page error or on any browser
 * console error it does not expect. Every check leaves a screenshot in test-results/<check>.png
 * (SCREENSHOTS=none skips them). ONLY=a,b runs just the named checks; SPECS=x,y just those spec files.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { APP_INDEX, CHROMIUM, SERVER_ENTRY, check, results, startServer } from './harness.mjs';

const SPECS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'specs');

async function loadSpecs() {
  const only = process.env.SPECS?.split(',');
  const files = (await readdir(SPECS_DIR)).filter((f) => f.endsWith('.mjs')).sort();
  const specs = [];
  for (const file of files) {
    if (only && !only.includes(file.replace(/\.mjs$/, ''))) continue;
    const module = await import(pathToFileURL(join(SPECS_DIR, file)).href);
    specs.push({ file, checks: module.default });
  }
  return specs;
}

async function main() {
  for (const [file, hint] of [
    [SERVER_ENTRY, 'npm run build:server'],
    [APP_INDEX, 'npm run build:modeler'],
    [CHROMIUM, 'apt-get install -y chromium'],
  ]) {
    if (!existsSync(file)) throw new Error(`${file} is missing (${hint})`);
  }
  const specs = await loadSpecs();

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
    for (const spec of specs) {
      for (const { name, run, allowConsole } of spec.checks) {
        await check(browser, name, (page) => run(page, baseUrl), { allowConsole });
      }
    }
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
