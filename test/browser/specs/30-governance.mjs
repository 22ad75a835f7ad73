/* global document, window, Event -- browser globals: inside page.evaluate/waitForFunction, which run in the page */
/**
 * Governed change of a process: a process owner opens the deployed incident flow, adds a user
 * task with a form made in the form editor, saves a draft, diffs it against the deployed version
 * and submits it; an administrator approves it and version 2 is deployed. Leaving with unsaved
 * changes asks first; names from diagrams render as text; the page works at 390 px.
 */
import { ADMIN, api, assert, openAs, screenshot } from '../harness.mjs';

const OWNER = { username: 'owner', displayName: 'Demo process owner', roles: ['process-owner'] };
const KEY = 'incident_management';
/** The new task's name: hostile on purpose, it must show as text everywhere. */
const TASK_NAME = 'Review <img src=x onerror=alert(1)>';

/** Shared between the checks (they run in this order). */
const state = { draftId: null, taskId: null, v1: null };

async function latestVersion(baseUrl) {
  const [latest] = await api(baseUrl, ADMIN, 'GET', `/api/definitions?key=${KEY}`);
  assert(latest, `${KEY} is not deployed on first start`);
  return latest;
}

async function ownerChangesAndSubmits(page, baseUrl) {
  // given: the owner owns the incident flow (an administrator names the owners)
  state.v1 = await latestVersion(baseUrl);
  assert(state.v1.version === 1, `expected version 1 of ${KEY}, found ${state.v1.version}`);
  await api(baseUrl, ADMIN, 'PUT', `/api/definitions/key/${KEY}/owners`, { usernames: [OWNER.username] });

  // when: the owner opens the deployed version
  await openAs(page, baseUrl, OWNER, `#/modeler/${state.v1.id}`);
  await page.locator('[data-ready="true"] .djs-element[data-element-id="UT_LogClassify"]').waitFor();
  await page.locator('[data-testid="version-item"][data-version="1"]').waitFor();
  await page.locator('[data-testid="form-file"][data-name="incident-classify.form"]').waitFor();
  assert((await page.getByTestId('save-state').innerText()).includes('Not saved'), 'a freshly opened version claims to be saved');

  // ... appends a task after "Log, classify and match", names it and makes it a user task
  const shapeIds = () => page.locator('.djs-element.djs-shape').evaluateAll((els) => els.map((e) => e.getAttribute('data-element-id')));
  const before = new Set(await shapeIds());
  await page.locator('.djs-element[data-element-id="UT_LogClassify"]').click();
  await page.locator('.djs-context-pad [data-action="append.append-task"]').click();
  await page.waitForFunction((known) => [...document.querySelectorAll('.djs-element.djs-shape')].some((e) => !known.includes(e.getAttribute('data-element-id'))), [...before]);
  state.taskId = (await shapeIds()).find((id) => !before.has(id));
  const task = page.locator(`.djs-element[data-element-id="${state.taskId}"]`);
  // name it through the label editor (double click), then leave the editor by clicking elsewhere
  if (!(await page.locator('.djs-direct-editing-parent').isVisible())) await task.dblclick();
  await page.locator('.djs-direct-editing-parent').waitFor();
  await page.keyboard.type(TASK_NAME);
  await clickEmptyCanvas(page);
  await page.locator('.djs-element.djs-shape', { hasText: TASK_NAME }).waitFor();
  // The flow is dense: the new shape may lie under others, so it is clicked where it is, not at a point.
  await task.dispatchEvent('click');
  await page.locator('.djs-context-pad [data-action="replace"]').click();
  await page.locator('.djs-popup [data-id="replace-with-user-task"]').click();
  await clickEmptyCanvas(page);
  await page.locator(`.djs-element[data-element-id="${state.taskId}"]`).dispatchEvent('click');
  await page.getByTestId('selected-name').filter({ hasText: TASK_NAME }).waitFor();
  assert((await page.getByTestId('save-state').innerText()) === 'Unsaved changes', 'the edit is not marked unsaved');

  // ... sees the live lint's warning on the new task (nobody may work on it) and fixes it by
  // picking a candidate group from the server's groups in the properties panel
  const unassignedWarning = page.waitForFunction(
    (id) =>
      document.querySelector('[data-testid="lint-list"]')?.dataset.state === 'done' &&
      (document.querySelector(`[data-testid="lint-badge"][data-element-id="${id}"]`)?.title ?? '').includes('has no camunda:assignee'),
    state.taskId,
  );
  await unassignedWarning.catch(async () => {
    const title = await page.locator(`[data-testid="lint-badge"][data-element-id="${state.taskId}"]`).getAttribute('title', { timeout: 1_000 }).catch(() => 'no badge');
    throw new Error(`no lint warning on the new task: ${title}`);
  });
  await screenshot(page, 'governance-lint-unassigned');
  const assignment = page.locator('.bio-properties-panel-group[data-group-id="group-CamundaPlatform__UserAssignment"] > .bio-properties-panel-group-header');
  await assignment.waitFor();
  if (!(await assignment.evaluate((el) => el.classList.contains('open')))) await assignment.click();
  const picker = page.locator('[data-entry-id="itsm-candidate-group-picker"] select');
  await picker.locator('option[value="resolvers"]').waitFor({ state: 'attached' });
  await picker.selectOption('resolvers');
  await page.waitForFunction(() => document.querySelector('[data-entry-id="candidateGroups"] input')?.value === 'resolvers');
  await page.waitForFunction(
    (id) =>
      document.querySelector('[data-testid="lint-list"]')?.dataset.state === 'done' &&
      !(document.querySelector(`[data-testid="lint-badge"][data-element-id="${id}"]`)?.title ?? '').includes('has no camunda:assignee'),
    state.taskId,
  );

  // ... leaving now asks first: in-app navigation (declined: stays) and closing the page
  let asked = null;
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await page.getByRole('link', { name: 'Definitions', exact: true }).first().click();
  await page.waitForTimeout(300);
  assert(asked?.includes('unsaved changes'), `leaving did not ask (dialog: ${asked})`);
  assert(page.url().includes('#/modeler/'), `the page left the modeller: ${page.url()}`);
  await page.locator(`.djs-element[data-element-id="${state.taskId}"]`).waitFor();
  const blocksUnload = await page.evaluate(() => {
    const event = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(event);
    return event.defaultPrevented;
  });
  assert(blocksUnload, 'closing the page with unsaved changes is not guarded (beforeunload)');

  // ... creates the task's form in the form editor
  await page.getByTestId('edit-form').filter({ hasText: 'Create form' }).click();
  const editor = page.getByTestId('form-editor-dialog');
  await editor.locator('.fjs-editor-container').waitFor();
  await editor.locator('.fjs-form-field').first().waitFor();
  await screenshot(page, 'governance-form-editor');
  await editor.getByTestId('dialog-confirm').click();
  const formName = `${state.taskId}-form.form`;
  await page.locator(`[data-testid="form-file"][data-name="${formName}"]`).waitFor();
  await page.getByTestId('selected-form').filter({ hasText: `Form: ${state.taskId}-form` }).waitFor();

  // ... saves a draft with a comment
  await page.getByTestId('draft-comment').fill('Adds a review step with its own form');
  await page.getByTestId('save-draft').click();
  await page.getByTestId('message-text').filter({ hasText: `Saved draft of ${KEY}, revision 1` }).waitFor();
  await page.waitForFunction(() => window.location.hash.startsWith('#/modeler/draft/'));
  state.draftId = decodeURIComponent(page.url().split('#/modeler/draft/')[1]);
  await page.locator(`[data-testid="draft-item"][data-draft-id="${state.draftId}"][aria-current="true"]`).waitFor();
  assert((await page.getByTestId('save-state').innerText()) === 'Saved · revision 1', 'the saved draft is not shown as saved');
  const saved = await api(baseUrl, OWNER, 'GET', `/api/drafts/${state.draftId}`);
  assert(saved.comment === 'Adds a review step with its own form' && saved.createdBy === OWNER.username, `draft as stored: ${saved.comment} by ${saved.createdBy}`);
  assert(saved.forms.some((f) => f.name === formName) && saved.forms.length === 7, `draft forms: ${saved.forms.map((f) => f.name).join(', ')}`);
  const savedTask = new RegExp(`<bpmn:userTask id="${state.taskId}"[^>]*>`).exec(saved.bpmn)?.[0] ?? '';
  assert(savedTask.includes('camunda:candidateGroups="resolvers"'), `the draft's new task has no candidate group: ${savedTask}`);

  // ... compares it with the deployed version: the new task is marked added
  await page.getByTestId('compare-deployed').click();
  const diff = page.locator('[data-testid="diff"][data-ready="true"]');
  await diff.waitFor();
  await diff.locator(`[data-testid="diff-new"] .djs-element.diff-added[data-element-id="${state.taskId}"]`).waitFor();
  const added = diff.locator(`[data-testid="diff-change"][data-kind="added"][data-element-id="${state.taskId}"]`);
  await added.waitFor();
  assert((await added.innerText()).includes(TASK_NAME), `the added task is listed as: ${await added.innerText()}`);
  await diff.locator('[data-testid="diff-change"][data-kind="changed"][data-element-id="UT_LogClassify"]').waitFor({ state: 'attached' }).catch(() => {});
  await screenshot(page, 'governance-diff');
  await page.getByTestId('diff-dialog').getByTestId('dialog-cancel').click();
  await page.getByTestId('diff-dialog').waitFor({ state: 'detached' });

  // ... and submits it for approval
  await page.getByTestId('submit-request').click();
  await page.getByTestId('message-text').filter({ hasText: `Submitted revision 1 of ${KEY} for approval` }).waitFor();
  await page.locator('[data-testid="request-item"][data-state="pending"]').waitFor();
  assert((await page.getByTestId('approve-request').count()) === 0, 'the process owner is offered to approve');
  assert((await page.locator('img[src="x"]').count()) === 0, 'a diagram name was rendered as HTML');
  await screenshot(page, 'governance-owner-submitted');
}

async function adminApproves(page, baseUrl) {
  assert(state.draftId, 'the owner check did not save a draft');
  await openAs(page, baseUrl, ADMIN, '#/modeler');
  // every key's pending requests are listed for the administrator
  const item = page.locator(`[data-testid="request-item"][data-state="pending"]`, { hasText: KEY });
  await item.waitFor();
  assert((await item.innerText()).includes('submitted by owner'), `request shows: ${await item.innerText()}`);
  // open the draft under review, then approve it there
  await item.getByRole('link').click();
  await page.locator(`[data-ready="true"] .djs-element[data-element-id="${state.taskId}"]`).waitFor();
  const pending = page.locator('[data-testid="request-item"][data-state="pending"]');
  await pending.getByTestId('approve-request').click();
  await page.getByTestId('message-text').filter({ hasText: `Approved: Deployed ${KEY} version 2` }).waitFor();
  await page.locator('[data-testid="request-item"][data-state="approved"] [data-testid="request-decision"]', { hasText: 'approved by admin' }).waitFor();
  await page.locator('[data-testid="version-item"][data-version="2"]').waitFor();
  await screenshot(page, 'governance-admin-approved');

  const versions = await api(baseUrl, ADMIN, 'GET', `/api/definitions/key/${KEY}/versions`);
  assert(versions[0].version === 2 && versions[0].deployedBy === ADMIN.username, `latest version: ${versions[0].version} by ${versions[0].deployedBy}`);
  const forms = await api(baseUrl, ADMIN, 'GET', `/api/definitions/${versions[0].id}/forms`);
  assert(forms.some((f) => f.formId === `${state.taskId}-form` && f.elementIds.includes(state.taskId)), 'version 2 does not bind the new form to the new task');
  const [request] = await api(baseUrl, ADMIN, 'GET', `/api/deploy-requests?key=${KEY}&state=approved`);
  assert(request.decidedBy === ADMIN.username && request.definitionVersion === 2 && request.submittedBy === OWNER.username, `recorded decision: ${JSON.stringify(request)}`);

  // the definitions list shows version 2
  await page.getByRole('link', { name: 'Definitions', exact: true }).first().click();
  const row = page.locator(`[data-testid="definition-row"][data-key="${KEY}"]`);
  await row.waitFor();
  assert((await row.innerText()).includes('2'), `definitions row: ${await row.innerText()}`);

  // Later specs run the incident flow as shipped: deploy version 1's content again (version 3).
  const xml = await (await fetch(`${baseUrl}/api/definitions/${state.v1.id}/xml`, { headers: { authorization: `Bearer ${await token(baseUrl)}` } })).text();
  const v1Forms = await api(baseUrl, ADMIN, 'GET', `/api/definitions/${state.v1.id}/forms`);
  const restore = await api(baseUrl, ADMIN, 'POST', '/api/drafts', {
    bpmn: xml,
    forms: v1Forms.map((f) => ({ name: `${f.formId}.form`, content: JSON.stringify(f.schema) })),
    comment: 'browser test: back to the shipped flow',
    baseDefinitionId: state.v1.id,
  });
  const back = await api(baseUrl, ADMIN, 'POST', `/api/drafts/${restore.id}/deploy`, {});
  assert(back.created && back.definition.version === 3, `restoring made: ${JSON.stringify(back.definition)}`);
}

async function narrowScreenAndEscaping(page, baseUrl) {
  assert(state.draftId, 'the owner check did not save a draft');
  await page.setViewportSize({ width: 390, height: 844 });
  await openAs(page, baseUrl, OWNER, `#/modeler/draft/${state.draftId}`);
  await page.locator(`[data-ready="true"] .djs-element[data-element-id="${state.taskId}"]`).waitFor();
  await page.locator('[data-testid="draft-item"]').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert(overflow <= 1, `the page scrolls sideways at 390 px by ${overflow} px`);
  // the hostile name is text in the diagram, the side panel and the diff list
  await page.locator(`.djs-element[data-element-id="${state.taskId}"]`).dispatchEvent('click');
  await page.getByTestId('selected-name').filter({ hasText: TASK_NAME }).waitFor();
  await page.getByTestId('compare-deployed').click();
  await page.locator('[data-testid="diff"][data-ready="true"]').waitFor();
  assert((await page.locator('img[src="x"]').count()) === 0, 'a diagram name was rendered as HTML');
  await screenshot(page, 'governance-390-diff');
  await page.getByTestId('diff-dialog').getByTestId('dialog-cancel').click();
  // keyboard: the draft comment, Save draft and Submit are reachable with Tab
  await page.getByTestId('draft-comment').focus();
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
  assert(focused === 'save-draft', `Tab from the comment went to ${focused}`);
  await screenshot(page, 'governance-390');
}

/** The decision table of a business rule task opens in the dmn-js editor and joins the draft's files. */
async function decisionEditor(page, baseUrl) {
  const latest = await latestVersion(baseUrl);
  await openAs(page, baseUrl, ADMIN, `#/modeler/${latest.id}`);
  await page.locator('[data-ready="true"] .djs-element[data-element-id="BRT_Prioritise"]').waitFor();
  await page.locator('.djs-element[data-element-id="BRT_Prioritise"]').dispatchEvent('click');
  await page.getByTestId('selected-decision').filter({ hasText: 'Decision: incident-priority' }).waitFor();
  await page.getByTestId('edit-decision').click();
  const editor = page.getByTestId('decision-editor-dialog');
  await editor.locator('.tjs-table').waitFor();
  assert((await editor.locator('.tjs-table tbody tr').count()) > 1, 'the decision table shows no rules');
  await screenshot(page, 'governance-dmn-editor');
  await editor.getByTestId('dialog-confirm').click();
  await page.locator('[data-testid="decision-file"][data-name="incident-priority.dmn"]').waitFor();
  assert((await page.getByTestId('save-state').innerText()) === 'Unsaved changes', 'an edited decision table is not an unsaved change');
}

/** Clicks the canvas below the diagram: ends label editing and clears the selection (and its context pad). */
async function clickEmptyCanvas(page) {
  const box = await page.getByTestId('canvas').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height - 40);
}

async function token(baseUrl) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.username, password: 'demo' }),
  });
  return (await res.json()).accessToken;
}

export default [
  { name: 'governance-owner-submits', run: ownerChangesAndSubmits },
  { name: 'governance-admin-approves', run: adminApproves },
  { name: 'governance-390-escaping', run: narrowScreenAndEscaping },
  { name: 'governance-decision-editor', run: decisionEditor },
];
