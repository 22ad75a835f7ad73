/**
 * Security headers (issue 10, part 6): the app runs under its Content Security Policy (any CSP
 * violation is a console error, which fails a check), refuses to be framed, and the API
 * documentation page works under the same policy.
 */
import { ADMIN, STAFF, assert, openAs, screenshot } from '../harness.mjs';

async function headersAndNoViolations(page, baseUrl) {
  const response = await page.goto(`${baseUrl}/`);
  const headers = response.headers();
  const csp = headers['content-security-policy'] ?? '';
  assert(/script-src 'self'(;|$)/.test(csp), `script-src allows more than 'self': ${csp}`);
  assert(/frame-ancestors 'none'/.test(csp), `no frame-ancestors 'none': ${csp}`);
  assert(headers['x-frame-options'] === 'DENY', `X-Frame-Options: ${headers['x-frame-options']}`);
  assert(headers['x-content-type-options'] === 'nosniff', `X-Content-Type-Options: ${headers['x-content-type-options']}`);
  assert(headers['referrer-policy'] === 'no-referrer', `Referrer-Policy: ${headers['referrer-policy']}`);

  // Every view, drawn by bpmn-js and the properties panel, under the policy.
  await openAs(page, baseUrl, ADMIN, '#/modeler');
  await page.locator('.djs-element[data-element-id="Task_Handle"]').waitFor();
  await page.locator('.djs-element[data-element-id="Task_Handle"]').click();
  await page.getByRole('link', { name: 'Definitions', exact: true }).first().click();
  await page.getByTestId('definitions-table').waitFor();
  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await page.getByTestId('task-list').waitFor();
  await screenshot(page, 'trust-csp-views');
}

async function staffViewsUnderPolicy(page, baseUrl) {
  await openAs(page, baseUrl, STAFF, '#/tasks');
  await page.getByTestId('task-list').waitFor();
  const card = page.getByTestId('task').first();
  if (await card.count()) {
    const instance = await card.getAttribute('data-instance-id');
    await page.goto(`${baseUrl}/#/instances/${instance}`);
    await page.locator('[data-ready="true"]').waitFor();
    await page.getByTestId('verify-history').click();
    await page.getByTestId('verify-result').filter({ hasText: /^valid/ }).waitFor();
  }
}

async function apiDocsUnderPolicy(page, baseUrl) {
  await page.goto(`${baseUrl}/api/docs`);
  await page.locator('.swagger-ui .info').waitFor();
}

/** A page of another origin that frames the app gets nothing (the browser refuses and says so). */
async function framingRefused(page, baseUrl) {
  await page.setContent(`<iframe id="app" src="${baseUrl}/" width="600" height="400"></iframe>`);
  await page.waitForTimeout(1000);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  const framed = frame ? await frame.evaluate(() => globalThis.document.body?.innerText ?? '').catch(() => '') : '';
  assert(!/ITSM|Sign in/i.test(framed), `the app rendered inside a frame: "${framed.slice(0, 80)}"`);
}

export default [
  { name: 'trust-csp-headers-views', run: headersAndNoViolations },
  { name: 'trust-csp-staff-instance', run: staffViewsUnderPolicy },
  { name: 'trust-csp-api-docs', run: apiDocsUnderPolicy },
  { name: 'trust-framing-refused', run: framingRefused, allowConsole: [/frame-ancestors|Refused to (display|frame)/i] },
];
