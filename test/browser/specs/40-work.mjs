/* global document, window -- browser globals: inside page.evaluate/waitForFunction, which run in the page */
/**
 * Staff work (issue 9, parts 3 and 4): log an incident through its start form, find it in the
 * task list with its record number and due date, work its first task through the form (a bad
 * value is refused by the server and shown on the field, then a good one completes it), search
 * the record and open the record and instance pages; the same pages at 390 px wide, by keyboard.
 * Runs on the reference flows the first start deploys (incident_management and its forms).
 */
import { STAFF, assert, openAs, screenshot } from '../harness.mjs';

/** Shared between checks (they run in order): the incident logged by the first. */
const state = { number: null, instanceId: null };

/** A title that would run script if it were ever inserted as HTML. */
const HOSTILE = 'Mail relay down <img src=x onerror="window.__xss=1"> & queue full';

/** Picks an option of a form-js select (a custom dropdown, not a native select). */
async function pick(page, label, option) {
  const field = page.locator('.fjs-form-field').filter({ has: page.locator('label', { hasText: label }) });
  await field.locator('.fjs-input-group').click();
  await field.locator('.fjs-dropdownlist-item').getByText(option, { exact: true }).click();
}

function failOnDialog(page) {
  page.on('dialog', (dialog) => {
    void dialog.dismiss();
    throw new Error(`a dialog opened: ${dialog.message()}`);
  });
}

async function noScriptRan(page) {
  assert((await page.evaluate(() => window.__xss)) === undefined, 'markup from a variable was run as HTML');
}

async function startIncidentThroughStartForm(page, baseUrl) {
  failOnDialog(page);
  await openAs(page, baseUrl, STAFF, '#/start');
  const entry = page.locator('[data-testid="start-process"][data-key="incident_management"]');
  await entry.getByTestId('start-open').click();
  await page.locator('[data-ready="true"] [data-testid="start-form"] .fjs-form').waitFor();

  // Starting with a required field empty is stopped by the form before anything is sent.
  let posted = false;
  const watch = (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/instances')) posted = true;
  };
  page.on('request', watch);
  await page.getByTestId('start-submit').click();
  await page.locator('[data-tone="error"]').filter({ hasText: 'Some fields need attention' }).waitFor();
  assert((await page.locator('.fjs-form-field-error').count()) > 0, 'no field is marked for the missing values');
  assert(!posted, 'an incomplete start form was sent');
  page.off('request', watch);

  await page.getByLabel('Short description').fill(HOSTILE);
  await page.getByLabel('Caller (user name)').fill('staff2');
  await pick(page, 'Channel', 'phone');
  await pick(page, 'Impact', 'high');
  await pick(page, 'Urgency', 'medium');
  await pick(page, 'Category', 'software');
  await screenshot(page, 'work-start-form');
  const started = page.waitForResponse((r) => r.url().endsWith('/api/instances') && r.request().method() === 'POST');
  await page.getByTestId('start-submit').click();
  const response = await started;
  assert(response.status() === 201, `start answered ${response.status()}`);
  const body = await response.json();
  assert(body.instance.variables.title === HOSTILE, 'the start form values were not sent as variables');
  assert(body.instance.variables.priority === 'P2', `priority from impact × urgency: ${body.instance.variables.priority}`);
  const link = page.getByTestId('started-record');
  await link.waitFor();
  state.number = (await link.innerText()).replace(/^Open /, '');
  state.instanceId = body.instance.id;
  assert(/^INC\d{7}$/.test(state.number), `no record number in the confirmation: ${state.number}`);
  await noScriptRan(page);
}

async function taskListShowsRecordAndDue(page, baseUrl) {
  assert(state.number, 'no incident (the start check failed)');
  failOnDialog(page);
  await openAs(page, baseUrl, STAFF, '#/tasks');
  await page.getByTestId('task-filter-kind').selectOption('groups');
  await page.getByTestId('task-filter-q').fill(state.number);
  await page.getByTestId('task-filter-apply').click();
  const card = page.locator(`[data-testid="task"][data-record-number="${state.number}"]`);
  await card.waitFor();
  const text = await card.innerText();
  assert(text.includes(state.number), `the card does not show the record number: ${text}`);
  assert(text.includes(HOSTILE), `the card does not show the title as text: ${text}`);
  assert((await card.locator('img').count()) === 0, 'the title was inserted as HTML');
  assert(text.includes('Log, classify and match'), `the card does not name the task: ${text}`);
  assert(/Priority P2/.test(text), `the card does not show the priority: ${text}`);
  const due = card.getByTestId('due');
  assert(/left/.test(await due.innerText()), `no time left on the card: ${await due.innerText()}`);
  const dueAt = Date.parse((await due.getAttribute('data-due-at')) ?? '');
  assert(dueAt > Date.now(), 'the due date is not in the future');
  assert((await card.getByTestId('sla-status').getAttribute('data-sla')) === 'on track', 'SLA marker missing');
  assert((await card.getByTestId('unclaim').count()) === 0, 'unclaim is offered on a task nobody claimed');

  // A saved view survives a reload (this browser, this user).
  await page.getByTestId('saved-view-name').fill('My incident');
  await page.getByTestId('saved-view-save').click();
  await page.getByTestId('messages').filter({ hasText: 'Saved the view "My incident"' }).waitFor();
  await page.getByTestId('task-filter-q').fill('');
  await page.getByTestId('task-filter-kind').selectOption('mine');
  await page.getByTestId('task-filter-apply').click();
  await page.reload();
  await page.getByTestId('saved-view-select').selectOption('My incident');
  await card.waitFor();
  assert((await page.getByTestId('task-filter-q').inputValue()) === state.number, 'the saved view did not restore its search');
  await screenshot(page, 'work-task-list');

  // Sorting by due date puts the soonest first.
  await page.getByTestId('task-filter-q').fill('');
  await page.getByTestId('task-filter-sort').selectOption('due');
  await page.locator('[data-testid="task"]').nth(1).waitFor();
  const dues = await page.locator('[data-testid="task"] [data-testid="due"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-due-at')).filter(Boolean).map((d) => Date.parse(d)));
  assert(dues.every((d, i) => i === 0 || dues[i - 1] <= d), 'tasks are not sorted by due date');
  await noScriptRan(page);
}

async function taskFormShowsServerError(page, baseUrl) {
  assert(state.number, 'no incident (the start check failed)');
  failOnDialog(page);
  await openAs(page, baseUrl, STAFF, '#/tasks');
  await page.getByTestId('task-filter-kind').selectOption('mine');
  await page.getByTestId('task-filter-q').fill(state.number);
  await page.getByTestId('task-filter-apply').click();
  const card = page.locator(`[data-testid="task"][data-record-number="${state.number}"]`);
  await card.getByTestId('task-open').click();
  await page.locator('[data-ready="true"] [data-testid="task-form"] .fjs-form').waitFor();
  await page.getByTestId('task-name').filter({ hasText: 'Log, classify and match' }).waitFor();
  // the record beside the form, the current step on the diagram
  assert((await page.getByTestId('record-details').innerText()).includes(HOSTILE), 'the record details do not show the title');
  await page.getByTestId('timeline-event').first().waitFor();
  const step = (await page.locator('.djs-element[data-element-id="UT_LogClassify"]').getAttribute('class')) ?? '';
  assert(step.includes('itsm-active'), `the current step is not highlighted: ${step}`);

  await page.getByTestId('claim').click();
  await page.getByTestId('unclaim').waitFor();

  // A value the server refuses: its message appears on the field.
  await page.getByLabel('incident', { exact: true }).check();
  await page.getByLabel('Matching known error (PRB number)').fill('PRB-what');
  const refused = page.waitForResponse((r) => r.url().endsWith('/complete'));
  await page.getByTestId('complete').click();
  const answer = await refused;
  assert(answer.status() === 422, `a bad value answered ${answer.status()}`);
  const problem = await answer.json();
  const serverError = problem.errors.find((e) => e.field === 'knownError');
  assert(serverError, `the server did not name the field: ${JSON.stringify(problem)}`);
  const fieldError = page.locator('.fjs-form-field').filter({ has: page.getByLabel('Matching known error (PRB number)') }).locator('.fjs-form-field-error');
  await fieldError.filter({ hasText: serverError.message }).waitFor();
  await page.locator('[data-tone="error"]').filter({ hasText: 'The server refused a value' }).waitFor();
  await screenshot(page, 'work-task-field-error');

  // Then a good value completes it.
  await page.getByLabel('Matching known error (PRB number)').fill('');
  const done = page.waitForResponse((r) => r.url().endsWith('/complete'));
  await page.getByTestId('complete').click();
  assert((await done).status() === 200, 'the corrected form was refused');
  await page.locator('[data-tone="success"]').filter({ hasText: `Completed "Log, classify and match" for ${state.number}` }).waitFor();
  assert((await page.locator('.fjs-form-field-error').count()) === 0, 'field errors stayed after success');
  await page.getByTestId('next-task').waitFor();
  // the record beside the form follows: the next task put it in progress
  await page.getByTestId('record-details').filter({ hasText: 'in progress' }).waitFor();
  assert(!(await page.getByLabel('Matching known error (PRB number)').isEditable()), 'the completed form can still be edited');
  await screenshot(page, 'work-task-completed');
  await noScriptRan(page);
}

async function searchRecordAndOpenPages(page, baseUrl) {
  assert(state.number, 'no incident (the start check failed)');
  failOnDialog(page);
  await openAs(page, baseUrl, STAFF, '#/records');
  await page.getByTestId('record-search-q').fill(state.number);
  const searched = page.waitForResponse((r) => r.url().includes('/api/records?') && r.url().includes(`q=${state.number}`));
  await page.getByTestId('record-search-submit').click();
  await searched;
  const row = page.locator(`[data-testid="record-row"][data-number="${state.number}"]`);
  await row.waitFor();
  assert((await page.getByTestId('record-row').count()) === 1, 'the search by number found other records');
  await row.getByRole('link', { name: state.number }).click();

  await page.locator('[data-ready="true"] [data-testid="record-page"]').waitFor();
  const heading = await page.getByTestId('record-number').innerText();
  assert(heading.includes(state.number) && heading.includes(HOSTILE), `record heading: ${heading}`);
  assert((await page.getByTestId('record-fields').innerText()).includes('staff2'), 'the record fields do not show the caller');
  await page.getByTestId('record-links').waitFor();
  await page.locator('[data-testid="record-timeline"] [data-testid="timeline"]').waitFor();
  const timelineText = await page.getByTestId('timeline').innerText();
  // the events name the element from the diagram, not its id
  const named = page.getByTestId('timeline-element').filter({ hasText: 'Log, classify and match' });
  assert((await named.count()) > 0, `no timeline entry names the first task: ${timelineText.slice(0, 300)}`);
  assert((await named.first().getAttribute('title')) === 'UT_LogClassify', 'the named entry does not keep the element id as its title');
  assert(!timelineText.includes('UT_LogClassify'), `the timeline shows an element id: ${timelineText.slice(0, 300)}`);
  assert(/task completed/.test(timelineText) && timelineText.includes('incident'), `the timeline misses the completed task and its data: ${timelineText.slice(0, 300)}`);
  await screenshot(page, 'work-record');

  await page.getByTestId('record-instance-link').first().click();
  await page.locator('[data-ready="true"] [data-testid="instance-summary"]').waitFor();
  assert((await page.getByTestId('instance-status').innerText()) === 'running', 'instance status');
  assert((await page.getByTestId('instance-record-link').innerText()).includes(state.number), 'the instance does not name its record');
  await page.getByTestId('child-instances').waitFor();
  const done = (await page.locator('.djs-element[data-element-id="UT_LogClassify"]').getAttribute('class')) ?? '';
  assert(done.includes('itsm-completed'), `the completed task is not marked on the diagram: ${done}`);
  await screenshot(page, 'work-instance');

  // the instance search finds it by record number
  await page.getByRole('link', { name: 'Instances', exact: true }).click();
  await page.getByTestId('instance-search-record').fill(state.number);
  await page.getByTestId('instance-search-submit').click();
  await page.locator(`[data-testid="instance-row"][data-instance-id="${state.instanceId}"]`).waitFor();
  await noScriptRan(page);
}

/** 390 px wide: nothing wider than the screen; the task list works from the keyboard alone. */
async function narrowAndKeyboard(page, baseUrl) {
  assert(state.number, 'no incident (the start check failed)');
  await page.setViewportSize({ width: 390, height: 844 });
  await openAs(page, baseUrl, STAFF, '#/tasks');
  await page.getByTestId('task-filter-kind').selectOption('mine');
  await page.getByTestId('task-filter-q').fill(state.number);
  await page.getByTestId('task-filter-q').press('Enter');
  const card = page.locator(`[data-testid="task"][data-record-number="${state.number}"]`);
  await card.waitFor();
  // The card is in the unfiltered list too: wait until the list shows only the filtered tasks, so the first link is this record's.
  await page.waitForFunction((number) => {
    const cards = [...document.querySelectorAll('[data-testid="task"]')];
    return cards.length > 0 && cards.every((c) => c.getAttribute('data-record-number') === number);
  }, state.number);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert((await overflow()) <= 0, `the task list is ${await overflow()} px wider than the screen`);
  await screenshot(page, 'work-task-list-390');

  // Tab from the search field to the first task's link, and open it with Enter.
  await page.getByTestId('task-filter-q').focus();
  let reached = false;
  for (let i = 0; i < 30 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'task-open');
  }
  assert(reached, 'the task link is not reachable with Tab');
  await page.keyboard.press('Enter');
  await page.locator('[data-ready="true"] [data-testid="task-form"] .fjs-form').waitFor();
  assert((await overflow()) <= 0, `the task page is ${await overflow()} px wider than the screen`);
  await screenshot(page, 'work-task-390');

  await page.goto(`${baseUrl}/#/records/${state.number}`);
  await page.locator('[data-ready="true"] [data-testid="record-page"]').waitFor();
  await page.locator('[data-testid="record-timeline"] [data-testid="timeline"]').waitFor();
  assert((await overflow()) <= 0, `the record page is ${await overflow()} px wider than the screen`);
  await screenshot(page, 'work-record-390');
}

/** The list refreshes itself every 30 s while the box is ticked, and not once it is cleared. */
async function autoRefresh(page, baseUrl) {
  await page.clock.install();
  await openAs(page, baseUrl, STAFF, '#/tasks');
  await page.getByTestId('task-list').locator('[data-testid="task"], [data-testid="no-tasks"]').first().waitFor();
  const isList = (url) => new URL(url).pathname === '/api/tasks';
  const again = page.waitForResponse((r) => isList(r.url()) && r.request().method() === 'GET');
  await page.clock.fastForward('00:31');
  await again;
  await page.getByTestId('auto-refresh').uncheck();
  let more = 0;
  page.on('request', (r) => {
    if (isList(r.url())) more += 1;
  });
  await page.clock.fastForward('01:05');
  await page.getByTestId('task-refresh').waitFor();
  assert(more === 0, `the list refreshed ${more} time(s) after auto-refresh was turned off`);
}

const EXPECTED_422 = [/Failed to load resource: the server responded with a status of 422/];

export default [
  { name: 'work-start-incident', run: startIncidentThroughStartForm },
  { name: 'work-task-list', run: taskListShowsRecordAndDue },
  { name: 'work-task-form', run: taskFormShowsServerError, allowConsole: EXPECTED_422 },
  { name: 'work-record-instance', run: searchRecordAndOpenPages },
  { name: 'work-narrow-keyboard', run: narrowAndKeyboard },
  { name: 'work-auto-refresh', run: autoRefresh },
];
