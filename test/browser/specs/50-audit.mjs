/**
 * Audit, administration and KPIs: an auditor finds a finished instance by its record number,
 * replays it step by step (token, variables, submitted data, hash-chain verification); an
 * administrator works through the admin pages; the KPI dashboard shows charts and their numbers.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ADMIN, AUDITOR, FIXTURES, PASSWORD, STAFF, api, assert, openAs, screenshot } from '../harness.mjs';

const HOSTILE = '<img src=x onerror=alert(1)>';
/** The finished instance of the replay scenario (set up once, through the API). */
let finished = null;

async function deployXml(baseUrl, user, xml) {
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: PASSWORD }),
  });
  const { accessToken } = await login.json();
  const res = await fetch(`${baseUrl}/api/definitions`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/xml' }, body: xml });
  if (res.status >= 400) throw new Error(`deploy: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Deploys the audit flow (admin) and runs one instance to its end (staff): two completions. */
async function finishedInstance(baseUrl) {
  if (finished) return finished;
  await deployXml(baseUrl, ADMIN, await readFile(join(FIXTURES, 'audit-replay.bpmn'), 'utf8'));
  const businessKey = `AUDIT-${Date.now()}`;
  const started = await api(baseUrl, STAFF, 'POST', '/api/instances', { definitionKey: 'browser-audit-replay', businessKey, variables: { title: 'Finding <b>42</b>', impact: 'low' } });
  const assess = started.tasks[0];
  const next = await api(baseUrl, STAFF, 'POST', `/api/tasks/${assess.id}/complete`, { variables: { impact: 'high', urgency: 'high', assessment: '<script>alert(2)</script> access log gap' } });
  const close = next.tasks[0];
  const done = await api(baseUrl, STAFF, 'POST', `/api/tasks/${close.id}/complete`, { variables: { closed: true } });
  assert(done.instance.status === 'completed', `the audit instance is ${done.instance.status}`);
  finished = { id: started.instance.id, recordNumber: started.instance.variables.recordNumber, businessKey };
  assert(/^AUD\d{7}$/.test(finished.recordNumber ?? ''), `no record number: ${JSON.stringify(started.instance.variables)}`);
  return finished;
}

const position = async (page) => (await page.getByTestId('replay-position').innerText()).trim();
const stepIndex = async (page) => Number(await page.getByTestId('replay').getAttribute('data-step'));
const tokens = async (page) => ((await page.getByTestId('replay').getAttribute('data-tokens')) ?? '').split(' ').filter(Boolean);

async function auditorReplaysFinishedInstance(page, baseUrl) {
  const instance = await finishedInstance(baseUrl);
  page.on('dialog', (dialog) => {
    throw new Error(`a dialog opened: ${dialog.message()}`);
  });

  // given: the auditor looks the record number up
  await openAs(page, baseUrl, AUDITOR, '#/replay');
  await page.getByTestId('replay-query').fill(instance.recordNumber.toLowerCase());
  await page.getByTestId('replay-query').press('Enter');
  const row = page.locator(`[data-testid="replay-result"][data-instance-id="${instance.id}"]`);
  await row.waitFor();
  assert((await row.innerText()).includes(instance.recordNumber), 'the result does not name the record');
  await row.getByTestId('open-replay').click();

  // then: the replay of that instance, on its diagram, with the chain verified
  const view = page.locator('[data-testid="replay"][data-ready="true"]');
  await view.waitFor();
  await page.locator('[data-testid="replay-verify"][data-valid="true"]').waitFor();
  const verdict = await page.getByTestId('replay-verify').innerText();
  assert(/Hash chain verified: all \d+ events/.test(verdict), `verdict: ${verdict}`);
  assert((await page.getByRole('heading', { level: 1 }).innerText()).includes(instance.recordNumber), 'the title does not name the record');
  const total = await page.getByTestId('replay-step').count();
  assert(total > 10, `only ${total} events`);
  assert((await position(page)) === `Step 1 of ${total}`, `starts at ${await position(page)}`);
  const startVars = await page.getByTestId('replay-variable').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
  assert(startVars.includes('title') && !startVars.includes('priority'), `start variables: ${startVars}`);

  // the hostile task name is text everywhere: in the timeline, on the diagram, nowhere as an element
  const timelineText = await page.getByTestId('replay-timeline').innerText();
  assert(timelineText.includes(HOSTILE), 'the task name is not shown as text in the timeline');
  assert((await page.locator('img[src="x"]').count()) === 0, 'the task name was rendered as HTML');

  // when: stepping forward to the end, with the button first, then the keyboard
  await page.getByTestId('replay-forward').click();
  assert((await stepIndex(page)) === 1, 'Forward did not move one step');
  const seen = { tokens: new Set(), changed: new Set(), submitted: false, tokenOnAssess: false };
  await page.getByTestId('replay-forward').focus();
  for (let i = 1; i < total - 1; i++) {
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((want) => globalThis.document.querySelector('[data-testid="replay"]')?.getAttribute('data-step') === String(want), i + 1);
    for (const t of await tokens(page)) seen.tokens.add(t);
    for (const name of await page.locator('[data-testid="replay-variable"][data-changed="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))) seen.changed.add(name);
    const current = await page.getByTestId('replay-current').innerText();
    if (current.includes('Task completed') && current.includes('access log gap')) {
      seen.submitted = true;
      assert(current.includes('staff'), 'the completion does not name its actor');
      assert(current.includes(HOSTILE), 'the completion does not name the task');
    }
    if ((await tokens(page)).includes('Task_Assess') && !seen.tokenOnAssess) {
      seen.tokenOnAssess = true;
      await page.locator('.replay-token[data-element-id="Task_Assess"]').waitFor();
      await page.locator('.djs-element.replay-token-holder[data-element-id="Task_Assess"]').waitFor();
      await screenshot(page, 'audit-replay-token-on-task');
    }
  }

  // then: the token went through both tasks and the variables changed on the way; at the end nothing holds a token
  assert((await position(page)) === `Step ${total} of ${total}`, `ends at ${await position(page)}`);
  assert(await page.getByTestId('replay-forward').isDisabled(), 'Forward is enabled at the last step');
  assert(seen.tokens.has('Task_Assess') && seen.tokens.has('Task_Close'), `tokens seen: ${[...seen.tokens]}`);
  assert(seen.changed.has('priority') && seen.changed.has('assessment') && seen.changed.has('closed'), `changed variables seen: ${[...seen.changed]}`);
  assert(seen.submitted, 'no step showed the submitted data of the completion');
  assert((await tokens(page)).length === 0, `tokens at the end: ${await tokens(page)}`);
  const finalPriority = await page.locator('[data-testid="replay-variable"][data-name="priority"] td').innerText();
  assert(finalPriority.trim() === 'P1', `priority at the end: ${finalPriority}`);
  assert((await page.locator('img[src="x"]').count()) === 0, 'the task name was rendered as HTML');

  // when: back one step with the button, then to the start with the keyboard
  await page.getByTestId('replay-back').click();
  assert((await stepIndex(page)) === total - 2, 'Back did not move one step');
  await page.keyboard.press('Home');
  await page.waitForFunction(() => globalThis.document.querySelector('[data-testid="replay"]')?.getAttribute('data-step') === '0');
  assert((await position(page)) === `Step 1 of ${total}`, `back at ${await position(page)}`);
  assert(!(await page.locator('[data-testid="replay-variable"][data-name="priority"]').count()), 'the first step shows variables set later');
  await screenshot(page, 'audit-replay-desktop');

  // usable at 390 px: the controls and the current step are on screen, nothing overflows sideways
  await page.setViewportSize({ width: 390, height: 844 });
  await page.keyboard.press('End');
  await page.getByTestId('replay-forward').waitFor();
  const overflow = await page.evaluate(() => globalThis.document.documentElement.scrollWidth - globalThis.document.documentElement.clientWidth);
  assert(overflow <= 1, `the page scrolls sideways by ${overflow}px at 390 px`);
  await screenshot(page, 'audit-replay-390');
}

async function unknownRecordShowsEmptyState(page, baseUrl) {
  await openAs(page, baseUrl, AUDITOR, '#/replay');
  await page.getByTestId('replay-query').fill('AUD9999999');
  await page.getByTestId('replay-search').click();
  await page.getByTestId('replay-no-result').waitFor();
}

async function adminPages(page, baseUrl) {
  await finishedInstance(baseUrl);
  await openAs(page, baseUrl, ADMIN, '#/admin');

  // definitions with versions; suspend and activate
  const definition = page.locator('[data-testid="admin-definition"][data-key="browser-audit-replay"]');
  await definition.waitFor();
  await definition.getByTestId('show-versions').click();
  const version = page.locator('[data-testid="admin-version"][data-version="1"]');
  await version.waitFor();
  await version.getByTestId('suspend-version').click();
  await page.getByTestId('message-text').filter({ hasText: 'browser-audit-replay version 1 is suspended' }).waitFor();
  await page.locator('[data-testid="admin-version"][data-version="1"] [data-testid="activate-version"]').click();
  await page.getByTestId('message-text').filter({ hasText: 'is active' }).waitFor();
  // owners
  await definition.getByTestId('show-owners').click();
  await page.getByTestId('owners-input').fill('owner');
  await page.getByTestId('owners-save').click();
  await page.getByTestId('message-text').filter({ hasText: 'Owners of browser-audit-replay: owner' }).waitFor();
  await screenshot(page, 'audit-admin-definitions');

  // users and groups
  await page.getByTestId('admin-tab-identity').click();
  await page.locator('[data-testid="admin-user"][data-username="auditor"]').waitFor();
  const group = `audit-${Date.now()}`;
  await page.getByTestId('new-group-name').fill(group);
  await page.getByTestId('new-group-create').click();
  const groupRow = page.locator(`[data-testid="admin-group"][data-group="${group}"]`);
  await groupRow.waitFor();
  await groupRow.getByTestId('member-input').fill('staff2');
  await groupRow.getByTestId('member-add').click();
  await groupRow.locator('.chip[data-member="staff2"]').waitFor();
  await groupRow.locator('.chip[data-member="staff2"] [data-testid="member-remove"]').click();
  await page.getByTestId('message-text').filter({ hasText: `staff2 left ${group}` }).waitFor();
  await screenshot(page, 'audit-admin-identity');

  // incidents and timers: a table or a clear empty state each
  await page.getByTestId('admin-tab-operations').click();
  await page.locator('[data-testid="admin-incidents"] :is(table, .empty)').first().waitFor();
  await page.locator('[data-testid="admin-timers"] :is(table, .empty)').first().waitFor();
  await screenshot(page, 'audit-admin-operations');

  await page.getByTestId('admin-tab-approvals').click();
  await page.locator('[data-testid="admin-approvals"] :is(table, .empty)').first().waitFor();
  await screenshot(page, 'audit-admin-approvals');
}

async function kpiDashboard(page, baseUrl) {
  await openAs(page, baseUrl, ADMIN, '#/kpis');
  const table = page.getByTestId('kpi-incidents-table');
  await table.waitFor();
  // the demo data opened incidents in the last 30 days: the "All" row counts them
  const all = await table.locator('tbody tr').last().innerText();
  const opened = Number(all.split('\t')[1]);
  assert(all.startsWith('All') && opened > 0, `incident totals: ${all}`);
  const card = await page.getByTestId('kpi-card').first().innerText();
  assert(card.includes(String(opened)), `the card "${card}" does not show ${opened}`);
  await page.locator('[data-testid="kpi-incidents-chart"] svg').waitFor();
  await page.locator('[data-testid="kpi-rates-chart"] svg').waitFor();
  assert((await page.getByTestId('kpi-rates-table').locator('tbody tr').count()) >= 5, 'too few rates');
  await screenshot(page, 'audit-kpis-desktop');

  // one flow, another period
  await page.getByTestId('kpi-flow').selectOption('change');
  await page.getByTestId('kpi-apply').click();
  await page.getByTestId('kpi-rates-table').filter({ hasText: 'Changes: successful' }).waitFor();
  assert((await page.getByTestId('kpi-incidents-table').count()) === 0, 'the incident KPIs stayed for the change flow');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('kpi-flow').selectOption('');
  await page.getByTestId('kpi-apply').click();
  await page.getByTestId('kpi-incidents-table').waitFor();
  const overflow = await page.evaluate(() => globalThis.document.documentElement.scrollWidth - globalThis.document.documentElement.clientWidth);
  assert(overflow <= 1, `the page scrolls sideways by ${overflow}px at 390 px`);
  await screenshot(page, 'audit-kpis-390');
}

export default [
  { name: 'audit-replay', run: auditorReplaysFinishedInstance },
  { name: 'audit-replay-unknown-record', run: unknownRecordShowsEmptyState },
  { name: 'audit-admin', run: adminPages },
  { name: 'audit-kpis', run: kpiDashboard },
];
