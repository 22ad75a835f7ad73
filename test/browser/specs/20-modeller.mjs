/* global document -- browser global: inside page.waitForFunction/evaluate, which run in the page */
/**
 * The modeller's canvas side: the properties panel writes what the engine runs, the replace menu
 * offers only what the server accepts, live lint marks problems with the server's deploy rules,
 * a document without layout opens laid out, and every corpus diagram bpmn-moddle parses imports.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import BpmnModdle from 'bpmn-moddle';
import { FIXTURES, ROOT, STAFF, assert, openAs, screenshot } from '../harness.mjs';

const OWNER = { username: 'owner' };

async function openModeler(page, baseUrl) {
  await openAs(page, baseUrl, OWNER, '#/modeler');
  await page.locator('[data-ready="true"] .djs-element[data-element-id="Task_Handle"]').waitFor();
}

/** Places a new task from the palette at (x, y) of the canvas; answers its id. */
async function createTask(page, x, y) {
  return createShape(page, 'create.task', x, y);
}

/** Places a new shape from the palette entry `action` at (x, y) of the canvas; answers its id. */
async function createShape(page, action, x, y) {
  const box = await page.getByTestId('canvas').boundingBox();
  await page.locator(`.djs-palette .entry[data-action="${action}"]`).click();
  await page.mouse.move(box.x + x - 10, box.y + y - 10);
  await page.mouse.move(box.x + x, box.y + y);
  await page.mouse.click(box.x + x, box.y + y);
  const selected = page.locator('.djs-element.djs-shape.selected');
  await selected.waitFor();
  return selected.getAttribute('data-element-id');
}

/** Opens the replace menu of the selected element; answers the ids of its entries. */
async function replaceMenuEntries(page) {
  await page.locator('.djs-context-pad .entry[data-action="replace"]').click();
  await page.locator('.djs-popup').waitFor();
  return page.locator('.djs-popup [data-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
}

/** Clicks an element until the canvas selects it and the properties panel shows it. */
async function select(page, id) {
  const element = page.locator(`.djs-element[data-element-id="${id}"]`);
  for (let attempt = 0; attempt < 3; attempt++) {
    await element.click({ position: { x: 20, y: 40 } });
    const selected = await page
      .locator(`.djs-element.selected[data-element-id="${id}"]`)
      .waitFor({ timeout: 2_000 })
      .then(() => true, () => false);
    if (selected) break;
  }
  await page.locator(`.djs-element.selected[data-element-id="${id}"]`).waitFor();
}

async function openGroup(page, groupId) {
  const header = page.locator(`.bio-properties-panel-group[data-group-id="group-${groupId}"] > .bio-properties-panel-group-header`);
  await header.waitFor();
  if (!(await header.evaluate((el) => el.classList.contains('open')))) await header.click();
}

/** Downloads the diagram with the toolbar button; answers the XML. */
async function exportedXml(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  return readFile(await download.path(), 'utf8');
}

async function propertiesPanelSetsGroupAndForm(page, baseUrl) {
  await openModeler(page, baseUrl);
  const id = await createTask(page, 520, 320);
  assert(id, 'no task was created');

  const entries = await replaceMenuEntries(page);
  assert(entries.includes('replace-with-user-task'), `no user task in the replace menu: ${entries.join(', ')}`);
  for (const refused of ['replace-with-script-task', 'replace-with-manual-task']) assert(!entries.includes(refused), `the replace menu offers ${refused}, which the server refuses`);
  await page.locator('.djs-popup [data-id="replace-with-user-task"]').click();
  await select(page, id);

  // Candidate group from the server's groups (GET /api/groups), through the panel's picker.
  await openGroup(page, 'CamundaPlatform__UserAssignment');
  const picker = page.locator('[data-entry-id="itsm-candidate-group-picker"] select');
  await picker.locator('option[value="resolvers"]').waitFor({ state: 'attached' });
  await picker.selectOption('resolvers');
  await page.locator('[data-entry-id="candidateGroups"] input').filter({ hasText: '' }).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-entry-id="candidateGroups"] input')?.value === 'resolvers');

  // A linked form-js form (camunda:formRef), as the engine binds forms deployed with the version.
  await openGroup(page, 'CamundaPlatform__Form');
  await page.locator('[data-entry-id="formType"] select').selectOption('formRef');
  await page.locator('[data-entry-id="formRef"] input').fill('incident-assign');
  await page.locator('[data-entry-id="formRef"] input').blur();
  await screenshot(page, 'modeller-properties-user-task');

  const xml = await exportedXml(page);
  const element = new RegExp(`<bpmn:userTask id="${id}"[^>]*>`).exec(xml)?.[0] ?? '';
  assert(element, `the exported XML has no user task ${id}`);
  assert(element.includes('camunda:candidateGroups="resolvers"'), `candidate group missing in ${element}`);
  assert(element.includes('camunda:formRef="incident-assign"'), `form missing in ${element}`);
}

/** Waits until the properties panel shows the element `id` (its Id field). */
async function panelShows(page, id) {
  await page.waitForFunction((want) => document.querySelector('[data-entry-id="id"] input')?.value === want, id);
}

async function propertiesPanelSetsSlaPause(page, baseUrl) {
  await openModeler(page, baseUrl);
  const id = await createTask(page, 520, 320);
  await replaceMenuEntries(page);
  await page.locator('.djs-popup [data-id="replace-with-user-task"]').click();
  await select(page, id);
  await openGroup(page, 'itsm-sla-pause');
  const clocks = page.locator('[data-entry-id="itsm-pause-sla"] input');
  const reason = page.locator('[data-entry-id="itsm-pause-reason"] input');
  assert((await reason.count()) === 0, 'a pause reason is offered before any clock is paused');

  // A name the deploy rule sla-pause refuses is shown as an error and not written.
  await clocks.fill('9 hours');
  await page.locator('[data-entry-id="itsm-pause-sla"].has-error .bio-properties-panel-error').waitFor();
  await clocks.fill('resolution');
  await clocks.blur();
  await reason.waitFor();
  assert((await page.locator('[data-entry-id="itsm-pause-sla"].has-error').count()) === 0, 'the clock field still shows an error');
  await reason.fill('awaiting_caller');
  await reason.blur();
  await screenshot(page, 'modeller-sla-pause-user-task');

  let xml = await exportedXml(page);
  let element = new RegExp(`<bpmn:userTask id="${id}"[^>]*>`).exec(xml)?.[0] ?? '';
  assert(element.includes('itsm:pauseSla="resolution"'), `no pause in ${element || `the XML (no user task ${id})`}`);
  assert(element.includes('itsm:pauseReason="awaiting_caller"'), `no pause reason in ${element}`);

  // Clearing the clock removes the reason too (a reason alone is refused at deploy).
  await clocks.fill('');
  await clocks.blur();
  await reason.waitFor({ state: 'detached' });
  xml = await exportedXml(page);
  element = new RegExp(`<bpmn:userTask id="${id}"[^>]*>`).exec(xml)?.[0] ?? '';
  assert(element && !/itsm:pause/.test(element), `the cleared pause stayed: ${element}`);

  // Not offered where the engine refuses it: a start event, a gateway.
  await page.locator('.djs-element[data-element-id="StartEvent_1"]').click();
  await panelShows(page, 'StartEvent_1');
  assert((await page.locator('[data-group-id="group-itsm-sla-pause"]').count()) === 0, 'the SLA pause group is offered on a start event');
  const gateway = await createShape(page, 'create.exclusive-gateway', 700, 420);
  await panelShows(page, gateway);
  assert((await page.locator('[data-group-id="group-itsm-record"]').count()) === 1, 'the panel does not show the gateway\'s groups');
  assert((await page.locator('[data-group-id="group-itsm-sla-pause"]').count()) === 0, 'the SLA pause group is offered on a gateway');
}

async function lintMarksAndClears(page, baseUrl) {
  await openModeler(page, baseUrl);
  const list = page.getByTestId('lint-list');
  await page.waitForFunction(() => document.querySelector('[data-testid="lint-list"]')?.dataset.state === 'done');
  assert((await page.locator('.itsm-lint-error').count()) === 0, 'the default diagram shows a refusal');

  // A service task without a handler is refused at deploy (service-implementation).
  await page.locator('.djs-element[data-element-id="Task_Handle"]').click();
  const entries = await replaceMenuEntries(page);
  assert(!entries.includes('replace-with-script-task'), 'the replace menu offers script tasks');
  await page.locator('.djs-popup [data-id="replace-with-service-task"]').click();
  const marked = page.locator('.djs-element[data-element-id="Task_Handle"].itsm-lint-error');
  await marked.waitFor();
  const badge = page.locator('[data-testid="lint-badge"][data-element-id="Task_Handle"]');
  await badge.hover();
  const tip = badge.locator('.itsm-lint-tip');
  await tip.waitFor();
  const message = await tip.innerText();
  assert(/implementation|handler/i.test(message), `the hover shows "${message}"`);
  await list.locator('summary').click();
  const row = list.locator('li.error[data-element-id="Task_Handle"]');
  await row.waitFor();
  assert((await list.locator('summary').innerText()).startsWith('1 problem'), `list summary: ${await list.locator('summary').innerText()}`);
  // The list floats over the canvas: the canvas keeps its full height in view.
  const canvasBox = await page.getByTestId('canvas').boundingBox();
  assert(canvasBox.height >= 300, `the canvas is ${canvasBox.height}px high`);
  await screenshot(page, 'modeller-lint-problem');

  // Fixed through the properties panel: a handler from the server's registry (GET /api/services).
  await select(page, 'Task_Handle');
  await openGroup(page, 'itsm-service-handler');
  const handler = page.locator('[data-entry-id="itsm-handler"] select');
  await handler.locator('option[value="linkRecord"]').waitFor({ state: 'attached' });
  await handler.selectOption('linkRecord');
  // linkRecord reads the input "to": the panel shows it as a field.
  await page.locator('[data-entry-id="itsm-handler-input-to"] input').fill('${sourceRecord}');
  await page.locator('[data-entry-id="itsm-handler-input-to"] input').blur();
  await page.waitForFunction(() => !document.querySelector('.djs-element[data-element-id="Task_Handle"].itsm-lint-error') && document.querySelector('[data-testid="lint-list"]')?.dataset.state === 'done');
  assert((await badge.count()) === 0 || !(await badge.evaluate((el) => el.classList.contains('error'))), 'the refusal badge stayed after the fix');
  assert((await list.locator('summary').innerText()).startsWith('0 problems'), `list summary after the fix: ${await list.locator('summary').innerText()}`);
  const xml = await exportedXml(page);
  assert(/camunda:delegateExpression="\$\{linkRecord\}"/.test(xml), 'the handler is not in the XML');
  assert(/<camunda:inputParameter name="to">\$\{sourceRecord\}<\/camunda:inputParameter>/.test(xml), 'the handler input is not in the XML');
  await screenshot(page, 'modeller-lint-fixed');
}

async function opensWithoutLayout(page, baseUrl) {
  await openModeler(page, baseUrl);
  await page.getByTestId('open-file').setInputFiles(join(FIXTURES, 'no-layout.bpmn'));
  await page.locator('[data-ready="true"] .djs-element[data-element-id="Fulfil"]').waitFor();
  const boxes = await page.locator('.djs-element.djs-shape[data-element-id]').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { id: e.getAttribute('data-element-id'), x: Math.round(r.x), y: Math.round(r.y), w: Math.round(r.width) };
    }),
  );
  const ids = ['Start', 'Review', 'Decide', 'Fulfil', 'Done', 'Rejected'];
  for (const id of ids) assert(boxes.some((b) => b.id === id && b.w > 0), `${id} is not drawn`);
  const positions = new Set(boxes.filter((b) => ids.includes(b.id)).map((b) => `${b.x},${b.y}`));
  assert(positions.size === ids.length, 'shapes are stacked on each other');
  assert((await page.locator('.djs-connection[data-element-id="F3"]').count()) === 1, 'the flows are not drawn');
  const message = await page.getByTestId('message-text').innerText();
  assert(/laid out automatically/.test(message), `no note on the layout: ${message}`);
  await screenshot(page, 'modeller-auto-layout');
}

function corpusDir() {
  return process.env.CORPUS_DIR ? resolve(process.env.CORPUS_DIR) : resolve(ROOT, '../shared/corpus');
}

async function bpmnFiles(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await bpmnFiles(path)));
    else if (/\.bpmn(20\.xml)?$/i.test(entry.name)) out.push(path);
  }
  return out.sort();
}

async function corpusImports(page, baseUrl) {
  const dir = corpusDir();
  if (!existsSync(dir)) {
    console.log(`     PASS note: no corpus at ${dir} (set CORPUS_DIR); the corpus import check did not run`);
    return;
  }
  const moddle = new BpmnModdle();
  const files = await bpmnFiles(dir);
  await openModeler(page, baseUrl);
  const view = page.locator('.modeler-view');
  let imported = 0;
  let skipped = 0;
  const empty = [];
  /** Files whose import the view reported with warnings ("Imported with N warning(s)"). */
  const warned = new Set();
  // Which file made bpmn-js log (the check's console rules then decide whether that is allowed).
  let current = '';
  const logged = new Map();
  page.on('console', (m) => {
    if (m.type() === 'error') logged.set(current, [...(logged.get(current) ?? []), m.text().split('\n')[0]]);
  });
  for (const file of files) {
    const xml = await readFile(file, 'utf8');
    try {
      await moddle.fromXML(xml);
    } catch {
      skipped++; // bpmn-moddle does not parse it: not a diagram the modeller must open
      continue;
    }
    const name = relative(dir, file);
    current = name;
    await view.evaluate((el) => delete el.dataset.ready);
    await page.getByTestId('open-file').setInputFiles(file);
    // Either drawn (data-ready="true") or refused with a message (data-ready="failed"); never an uncaught error (the check
    // fails on those). Waiting on the view's own outcome, not on an error message being shown: the previous file's error
    // stays on screen until this file has been read, and a loaded machine read it as this file's outcome (CI, stop 18).
    await page.waitForFunction(() => ['true', 'failed'].includes(document.querySelector('.modeler-view')?.dataset.ready ?? ''));
    const ready = (await view.getAttribute('data-ready')) === 'true';
    if (!ready) {
      // Only a document with nothing to draw (no process, no collaboration) may be refused, with a message.
      const { rootElement } = await moddle.fromXML(xml);
      const drawable = (rootElement.rootElements ?? []).some((e) => e.$type === 'bpmn:Process' || e.$type === 'bpmn:Collaboration');
      const message = await page.getByTestId('message-text').innerText().catch(() => '?');
      assert(!drawable, `${name} did not import: ${message}`);
      empty.push(`${name} (${message})`);
      continue;
    }
    const { rootElement } = await moddle.fromXML(xml);
    const hasFlowElements = (rootElement.rootElements ?? []).some((e) => (e.flowElements ?? []).length > 0);
    const shapes = await page.locator('.djs-element.djs-shape').count();
    assert(shapes > 0 || !hasFlowElements, `${name} imported with nothing drawn`);
    const note = (await page.getByTestId('message-text').allInnerTexts()).join(' '); // no wait: usually there is none
    if (/Imported with \d+ warning/.test(note)) warned.add(name);
    imported++;
  }
  console.log(`     ${imported} corpus diagrams imported, ${skipped} not parsed by bpmn-moddle, ${empty.length} with nothing to draw (of ${files.length})${empty.length ? `: ${empty.join('; ')}` : ''}`);
  for (const [name, messages] of logged) {
    console.log(`     ${name}: bpmn-js logged ${messages.slice(0, 2).join(' | ')}`);
    // bpmn-js logs what it cannot draw of a defective document; the user must see those as import warnings.
    assert(warned.has(name), `${name} logged import errors the view did not report as warnings: ${messages[0]}`);
  }
  assert(imported > 0, 'no corpus diagram was imported');
  await screenshot(page, 'modeller-corpus-last');
}

/** The task list does not load the modeller's chunk (bpmn-js modeler, properties panel, lint); the modeller page does. */
async function taskListSkipsModellerChunk(page, baseUrl) {
  const scripts = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  await openAs(page, baseUrl, STAFF, '#/tasks');
  await page.getByTestId('task-list').waitFor();
  const modellerChunk = (s) => /\/modeler\.view-[^/]+\.js$/.test(s);
  assert(!scripts.some(modellerChunk), `the task list loaded ${scripts.filter(modellerChunk).join(', ')}`);
  await page.getByRole('link', { name: 'Modeler', exact: true }).click();
  await page.locator('[data-ready="true"] .djs-element[data-element-id="Task_Handle"]').waitFor();
  assert(scripts.some(modellerChunk), `opening the modeller loaded no modeller chunk (scripts: ${scripts.join(', ')})`);
}

export default [
  { name: 'modeller-chunk-not-in-task-list', run: taskListSkipsModellerChunk },
  { name: 'modeller-properties-user-task', run: propertiesPanelSetsGroupAndForm },
  { name: 'modeller-properties-sla-pause', run: propertiesPanelSetsSlaPause },
  { name: 'modeller-lint-marks-and-clears', run: lintMarksAndClears },
  { name: 'modeller-opens-without-layout', run: opensWithoutLayout },
  // bpmn-js logs what it cannot draw of a defective document ("failed to import <element>", with the
  // renderer's error); the corpus catalogue accepts import warnings for those files ("must not
  // crash; warnings acceptable"). The check asserts the view reported each as an import warning.
  { name: 'modeller-corpus-imports', run: corpusImports, allowConsole: [/^failed to import /, /^unhandled error in event listener/] },
];
