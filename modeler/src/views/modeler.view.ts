import type Canvas from 'diagram-js/lib/core/Canvas';
import '../features/deploy/governance.css';
import { ApiError, type Definition, type DefinitionProblem } from '../api/client';
import { can } from '../auth/permissions';
import { currentUser, hasRole } from '../auth/session';
import { createModeler, problemMarkersOf, wasLaidOut } from '../bpmn/create-modeler';
import { DEFAULT_DIAGRAM } from '../bpmn/default-diagram';
import { h, replace, type View } from '../dom';
import { MessageArea } from '../messages';
import { editDecision, newDecisionXml } from '../features/decision-editor/decision-editor';
import { modalDialog } from '../features/deploy/dialog';
import { requestList } from '../features/deploy/request-list';
import { renderDiff, type Side } from '../features/diff/diff-view';
import { draftList } from '../features/drafts/draft-list';
import { draftsApi, requestsApi, versionsApi, type DeployOutcome, type DeployRequest, type Draft, type DraftFile, type DraftSummary } from '../features/drafts/drafts-api';
import { LeaveGuard } from '../features/drafts/leave-guard';
import { editForm, newFormSchema, type FormSchema } from '../features/form-editor/form-editor';
import { selectedElementPanel, type SelectedElement } from '../features/form-editor/selected-element';
import { versionList } from '../features/versions/version-list';

type Source = { kind: 'new' } | { kind: 'version'; definition: Definition } | { kind: 'draft'; draft: Draft };

interface Modeling {
  updateProperties(element: unknown, properties: Record<string, unknown>): void;
}
interface EventBus {
  on(event: string, callback: (event: Record<string, unknown>) => void): void;
}

/**
 * The modeller page: #/modeler (a new diagram), #/modeler/:definitionId (a deployed version as the
 * starting point) and #/modeler/draft/:draftId (a saved draft). Beside the canvas: the key's
 * versions, drafts and deploy requests, the forms and decision tables saved with the draft; a
 * visual diff; save draft, deploy (administrators), submit for approval (process owners) and
 * approve or reject (administrators).
 */
export function modelerView(definitionId?: string, draftId?: string): View {
  const canvasEl = h('div', { class: 'canvas', 'data-testid': 'canvas' });
  // The properties panel mounts here; the live lint list floats over the canvas (bpmn/features/lint).
  const properties = h('aside', { id: 'properties', class: 'properties-host itsm-properties', 'data-testid': 'properties-panel', 'aria-label': 'Properties' });
  const modeler = createModeler(canvasEl, { propertiesParent: properties });
  const markers = problemMarkersOf(modeler);
  const messages = new MessageArea((problem) => {
    if (problem.elementId && !markers.focus(problem.elementId)) messages.show('info', `${problem.elementId} is not on this diagram`);
  });
  const mayEdit = hasRole('admin', 'process-owner');
  const mayReadDrafts = hasRole('admin', 'process-owner', 'auditor');
  const isOwner = hasRole('process-owner');
  const me = currentUser().username;

  let left = false;
  let importing = false;
  let source: Source = { kind: 'new' };
  let key: string | null = null;
  let draft: { id: string; revision: number } | null = null;
  let baseDefinitionId: string | null = null;
  /** The diagram text as loaded or last saved: reused as is while the diagram is not edited, so unchanged content deploys as unchanged. */
  let loadedXml: string | null = null;
  let diagramEdited = false;
  let forms: DraftFile[] = [];
  let decisions: DraftFile[] = [];
  let versions: Definition[] | null = null;
  let drafts: DraftSummary[] | null = null;
  let requests: DeployRequest[] | null = null;
  let selected: SelectedElement | null = null;

  const state = h('span', { class: 'save-state', 'data-testid': 'save-state', role: 'status' });
  const guard = new LeaveGuard(() => renderState());

  // ------------------------------------------------------------------ toolbar
  const title = h('h1', { id: 'modeler-title' }, definitionId ? 'Edit process' : draftId ? 'Draft' : 'New process');
  const subtitle = h('p', { class: 'subtitle', 'data-testid': 'modeler-source' });
  const openInput = h('input', { type: 'file', id: 'open-file', accept: '.bpmn,.xml,application/xml,text/xml', 'data-testid': 'open-file', onchange: () => void openFile() });
  const comment = h('input', { id: 'draft-comment', name: 'comment', maxlength: 2000, placeholder: 'What changed?', 'data-testid': 'draft-comment', autocomplete: 'off' });
  const saveButton = h('button', { type: 'button', 'data-testid': 'save-draft', onclick: () => void saveDraft() }, 'Save draft');
  const versionTag = h('input', { id: 'version-tag', name: 'versionTag', maxlength: 64, placeholder: 'optional', 'data-testid': 'version-tag' });
  const deployButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'deploy', onclick: () => void deploy() }, 'Deploy');
  const submitButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'submit-request', onclick: () => void submit() }, 'Submit for approval');
  const compareButton = h('button', { type: 'button', 'data-testid': 'compare-deployed', onclick: () => void compareWithDeployed() }, 'Compare with deployed');

  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('div', { class: 'title-block' }, title, subtitle),
    state,
    h('button', { type: 'button', 'data-testid': 'new-diagram', onclick: () => void newDiagram() }, 'New diagram'),
    h('label', { for: 'open-file', class: 'button' }, 'Open .bpmn…'),
    openInput,
    h('button', { type: 'button', 'data-testid': 'download', onclick: () => void download() }, 'Download .bpmn'),
    compareButton,
  );
  const actions = h(
    'div',
    { class: 'toolbar actions-bar' },
    ...(mayEdit ? [h('label', { for: 'draft-comment' }, 'Comment'), comment, saveButton] : []),
    ...(can.deploy() ? [h('label', { for: 'version-tag' }, 'Version tag'), versionTag, deployButton] : []),
    ...(isOwner ? [submitButton] : []),
    ...(can.deploy() ? [] : [h('span', { class: 'hint', 'data-testid': 'deploy-hint' }, isOwner ? 'Deploying needs the admin role: submit your draft for approval.' : 'Deploying needs the admin role.')]),
  );

  // ------------------------------------------------------------------ side panel
  const versionsBox = h('div', {});
  const draftsBox = h('div', {});
  const requestsBox = h('div', {});
  const filesBox = h('div', {});
  const selectionBox = h('div', { 'data-testid': 'selection-panel' });
  const section = (heading: string, testId: string, body: HTMLElement, open = true) =>
    h('details', { class: 'side-section', open, 'data-testid': testId }, h('summary', {}, heading), body);
  const side = h(
    'aside',
    { class: 'side-panel', 'aria-label': 'Versions, drafts and files' },
    section('Selected element', 'selected-section', selectionBox),
    section('Forms and decision tables', 'files-section', filesBox),
    section('Versions', 'versions-section', versionsBox),
    ...(mayReadDrafts ? [section('Drafts', 'drafts-section', draftsBox), section('Deploy requests', 'requests-section', requestsBox)] : []),
  );

  const el = h(
    'section',
    { class: 'view modeler-view', 'aria-labelledby': 'modeler-title' },
    toolbar,
    actions,
    messages.el,
    h('div', { class: 'modeler-layout' }, h('div', { class: 'canvas-column' }, canvasEl), properties, side),
  );

  // ------------------------------------------------------------------ diagram events
  const eventBus = modeler.get<EventBus>('eventBus');
  eventBus.on('commandStack.changed', () => {
    if (importing) return;
    diagramEdited = true;
    guard.set(true);
  });
  eventBus.on('selection.changed', (event) => {
    const [first] = (event.newSelection as SelectedElement[] | undefined) ?? [];
    selected = first ?? null;
    renderSelection();
  });

  // ------------------------------------------------------------------ loading
  async function load(): Promise<void> {
    try {
      if (draftId) {
        const loaded = await draftsApi.get(draftId);
        if (left) return;
        source = { kind: 'draft', draft: loaded };
        draft = { id: loaded.id, revision: loaded.revision };
        key = loaded.key;
        baseDefinitionId = loaded.baseDefinitionId;
        forms = loaded.forms;
        decisions = loaded.decisions;
        await show(loaded.bpmn, true);
      } else if (definitionId) {
        const [definition, xml, deployedForms] = await Promise.all([versionsApi.get(definitionId), versionsApi.xml(definitionId), versionsApi.forms(definitionId)]);
        if (left) return;
        source = { kind: 'version', definition };
        key = definition.key;
        baseDefinitionId = definition.id;
        forms = deployedForms.map((f) => ({ name: `${f.formId}.form`, content: JSON.stringify(f.schema, null, 2) }));
        decisions = [];
        await show(xml, true);
      } else {
        await show(DEFAULT_DIAGRAM, false);
      }
    } catch (error) {
      if (!left) messages.error(error);
    }
    renderSource();
    renderFiles();
    void refreshSide();
  }

  async function show(xml: string, fit: boolean): Promise<void> {
    if (left) return;
    delete el.dataset.ready;
    messages.clear();
    importing = true;
    try {
      const { warnings } = await modeler.importXML(xml);
      if (left) return;
      if (fit) modeler.get<Canvas>('canvas').zoom('fit-viewport', 'auto' as never); // centred, clear of the palette (Canvas.js centres on any truthy centre; its typings want a Point)
      if (warnings.length) messages.show('info', `Imported with ${warnings.length} warning(s); check the diagram before deploying.`);
      else if (wasLaidOut(modeler)) messages.show('info', 'The document had no diagram layout: it was laid out automatically.');
    } finally {
      importing = false;
    }
    loadedXml = xml;
    diagramEdited = false;
    guard.set(false);
    selected = null;
    renderSelection();
    el.dataset.ready = 'true';
  }

  async function refreshSide(): Promise<void> {
    const k = key ?? processId() ?? null;
    versions = k ? null : [];
    drafts = k || !mayReadDrafts ? null : [];
    requests = null;
    renderSide();
    const tasks: Promise<void>[] = [];
    if (k) {
      tasks.push(
        versionsApi.list(k).then(
          (v) => void (versions = v),
          (error: unknown) => void ((versions = []), messages.error(error)),
        ),
      );
    }
    if (mayReadDrafts) {
      if (k) tasks.push(draftsApi.list(k).then((d) => void (drafts = d), (error: unknown) => void (drafts = [], messages.error(error))));
      // A new diagram lists every key's pending requests (what an administrator has to decide); else this key's.
      const filter = key ? { key } : { state: 'pending' as const };
      tasks.push(requestsApi.list(filter).then((r) => void (requests = r), (error: unknown) => void (requests = [], messages.error(error))));
    }
    await Promise.all(tasks);
    if (!left) renderSide();
  }

  // ------------------------------------------------------------------ rendering
  function renderState(): void {
    state.dataset.dirty = String(guard.isDirty);
    replace(state, guard.isDirty ? 'Unsaved changes' : draft ? `Saved · revision ${draft.revision}` : 'Not saved as a draft');
  }

  function renderSource(): void {
    const name = (source.kind === 'draft' ? source.draft.name : source.kind === 'version' ? source.definition.name : null) ?? key ?? processId() ?? 'new diagram';
    replace(title, source.kind === 'draft' ? `Draft: ${name}` : source.kind === 'version' ? `Edit: ${name}` : 'New process');
    replace(
      subtitle,
      source.kind === 'draft'
        ? `${source.draft.key} · revision ${draft?.revision ?? source.draft.revision} · saved by ${source.draft.updatedBy}${source.draft.baseVersion ? ` · from version ${source.draft.baseVersion}` : ''}`
        : source.kind === 'version'
          ? `${source.definition.key} · version ${source.definition.version} · deployed by ${source.definition.deployedBy ?? 'unknown'}`
          : 'A new diagram; save it as a draft to keep it.',
    );
    renderState();
  }

  function renderSide(): void {
    replace(versionsBox, versionList(versions, { currentId: source.kind === 'version' ? source.definition.id : undefined, onCompare: (d) => void compareWith({ label: `version ${d.version}`, xml: () => versionsApi.xml(d.id) }) }));
    replace(draftsBox, draftList(drafts, { currentId: draft?.id, onCompare: (d) => void compareWith({ label: `draft revision ${d.revision}`, xml: async () => (await draftsApi.get(d.id)).bpmn }) }));
    replace(
      requestsBox,
      requestList(requests, {
        mayDecide: (r) => can.deploy() && r.submittedBy.toLowerCase() !== me.toLowerCase(),
        approve: (r, button) => void approve(r, button),
        reject: (r, reason, button) => void reject(r, reason, button),
      }),
    );
  }

  function renderFiles(): void {
    const fileItem = (file: DraftFile, kind: 'form' | 'decision') =>
      h(
        'li',
        { 'data-testid': `${kind}-file`, 'data-name': file.name },
        h('span', { class: 'file-name' }, file.name),
        mayEdit
          ? h('button', { type: 'button', class: 'link', 'data-testid': `edit-${kind}-file`, onclick: () => void (kind === 'form' ? editFormFile(file) : editDecisionFile(file)) }, 'Edit')
          : null,
      );
    replace(
      filesBox,
      forms.length || decisions.length
        ? h('ul', { class: 'side-list files', 'data-testid': 'file-list' }, ...forms.map((f) => fileItem(f, 'form')), ...decisions.map((f) => fileItem(f, 'decision')))
        : h('p', { class: 'empty', 'data-testid': 'files-empty' }, 'No forms or decision tables yet. Select a user task to create its form.'),
    );
  }

  function renderSelection(): void {
    replace(
      selectionBox,
      selectedElementPanel(selected, {
        mayEdit,
        formOf: (id) => findForm(id) !== undefined,
        editForm: () => void editSelectedForm(),
        editDecision: () => void editSelectedDecision(),
      }),
    );
  }

  // ------------------------------------------------------------------ content
  async function content(): Promise<{ bpmn: string; forms: DraftFile[]; decisions: DraftFile[] }> {
    const bpmn = diagramEdited || loadedXml === null ? ((await modeler.saveXML({ format: true })).xml ?? '') : loadedXml;
    return { bpmn, forms, decisions };
  }

  function formIdOf(file: DraftFile): string | null {
    try {
      const id = (JSON.parse(file.content) as { id?: unknown }).id;
      return typeof id === 'string' ? id : null;
    } catch {
      return null;
    }
  }

  function findForm(formId: string): DraftFile | undefined {
    return forms.find((f) => formIdOf(f) === formId);
  }

  function upsert(files: DraftFile[], file: DraftFile, same: (f: DraftFile) => boolean): DraftFile[] {
    const i = files.findIndex(same);
    return i < 0 ? [...files, file] : files.map((f, j) => (j === i ? { ...file, name: f.name } : f));
  }

  // ------------------------------------------------------------------ forms and decisions
  async function editSelectedForm(): Promise<void> {
    const element = selected;
    if (!element) return;
    const bo = element.businessObject;
    const existing = (bo.get?.('camunda:formRef') as string | undefined) || (bo.get?.('camunda:formKey') as string | undefined);
    const formId = existing && /^[A-Za-z_][\w.-]{0,127}$/.test(existing) ? existing : `${element.id}-form`.replace(/[^\w.-]/g, '_');
    const file = findForm(formId);
    const schema: FormSchema = file ? (JSON.parse(file.content) as FormSchema) : newFormSchema(formId, bo.name ?? '');
    const saved = await runEditor(() => editForm(schema, `Form of “${bo.name || element.id}”`));
    if (!saved || left) return;
    forms = upsert(forms, { name: `${formId}.form`, content: JSON.stringify(saved, null, 2) }, (f) => formIdOf(f) === formId);
    if (bo.get?.('camunda:formRef') !== formId) modeler.get<Modeling>('modeling').updateProperties(element, { 'camunda:formRef': formId });
    guard.set(true);
    renderFiles();
    renderSelection();
    messages.show('success', `Form “${formId}” is part of the draft; save the draft to keep it.`);
  }

  async function editFormFile(file: DraftFile): Promise<void> {
    const schema = JSON.parse(file.content) as FormSchema;
    const saved = await runEditor(() => editForm(schema, `Form “${schema.id}”`));
    if (!saved || left) return;
    forms = upsert(forms, { name: file.name, content: JSON.stringify(saved, null, 2) }, (f) => f.name === file.name);
    guard.set(true);
    renderFiles();
  }

  async function editSelectedDecision(): Promise<void> {
    const element = selected;
    if (!element) return;
    const bo = element.businessObject;
    const ref = (bo.get?.('camunda:decisionRef') as string | undefined) || `${element.id}_decision`.replace(/[^\w.-]/g, '_');
    const file = decisions.find((f) => declaresDecision(f.content, ref));
    let xml = file?.content;
    if (!xml) {
      try {
        xml = (await versionsApi.latestDecisionXml(ref)) ?? newDecisionXml(ref, bo.name || ref);
      } catch (error) {
        return messages.error(error);
      }
    }
    const saved = await runEditor(() => editDecision(xml, ref, `Decision table “${ref}”`));
    if (!saved || left) return;
    decisions = file ? upsert(decisions, { name: file.name, content: saved }, (f) => f.name === file.name) : [...decisions, { name: `${ref}.dmn`, content: saved }];
    if (bo.get?.('camunda:decisionRef') !== ref) modeler.get<Modeling>('modeling').updateProperties(element, { 'camunda:decisionRef': ref });
    guard.set(true);
    renderFiles();
    messages.show('success', `Decision table “${ref}” is part of the draft; save the draft to keep it.`);
  }

  async function editDecisionFile(file: DraftFile): Promise<void> {
    const first = /<decision\b[^>]*\bid="([^"]+)"/.exec(file.content)?.[1] ?? '';
    const saved = await runEditor(() => editDecision(file.content, first, `Decision tables “${file.name}”`));
    if (!saved || left) return;
    decisions = upsert(decisions, { name: file.name, content: saved }, (f) => f.name === file.name);
    guard.set(true);
    renderFiles();
  }

  async function runEditor<T>(open: () => Promise<T | null>): Promise<T | null> {
    try {
      return await open();
    } catch (error) {
      if (!left) messages.error(error);
      return null;
    }
  }

  // ------------------------------------------------------------------ commands
  async function saveDraft(defaultComment?: string): Promise<boolean> {
    const text = comment.value.trim() || defaultComment || '';
    if (!text) {
      comment.setAttribute('aria-invalid', 'true');
      comment.focus();
      messages.show('error', 'Say what changed in the comment before saving the draft.');
      return false;
    }
    comment.removeAttribute('aria-invalid');
    saveButton.disabled = true;
    try {
      const body = await content();
      const saved = draft
        ? await draftsApi.save(draft.id, { ...body, comment: text, revision: draft.revision })
        : await draftsApi.create({ ...body, comment: text, ...(baseDefinitionId ? { baseDefinitionId } : {}) });
      if (left) return false;
      const first = !draft;
      draft = { id: saved.id, revision: saved.revision };
      key = saved.key;
      source = { kind: 'draft', draft: saved };
      loadedXml = body.bpmn;
      diagramEdited = false;
      guard.set(false);
      comment.value = '';
      if (first) history.replaceState(history.state, '', `#/modeler/draft/${encodeURIComponent(saved.id)}`);
      renderSource();
      messages.show('success', `Saved draft of ${saved.key}, revision ${saved.revision}.`);
      void refreshSide();
      return true;
    } catch (error) {
      if (!left) messages.error(error);
      return false;
    } finally {
      saveButton.disabled = false;
    }
  }

  /** Administrators: save what is in the editor as a draft revision (if needed) and deploy it. */
  async function deploy(): Promise<void> {
    deployButton.disabled = true;
    markers.clear();
    try {
      if ((guard.isDirty || !draft) && !(await saveDraft('Deployed directly'))) return;
      messages.show('info', 'Deploying…');
      const outcome = await draftsApi.deploy(draft!.id, draft!.revision, versionTag.value.trim() || undefined);
      if (left) return;
      showDeployed(outcome);
      void refreshSide();
    } catch (error) {
      if (left) return;
      showProblem(error);
    } finally {
      deployButton.disabled = false;
    }
  }

  async function submit(): Promise<void> {
    submitButton.disabled = true;
    try {
      const note = comment.value.trim();
      if ((guard.isDirty || !draft) && !(await saveDraft())) return;
      const reason = note || (source.kind === 'draft' ? source.draft.comment : 'Submitted for approval');
      const request = await requestsApi.submit(draft!.id, draft!.revision, reason);
      if (left) return;
      messages.show('success', `Submitted revision ${request.draftRevision} of ${request.key} for approval. An administrator approves or rejects it.`);
      void refreshSide();
    } catch (error) {
      if (!left) messages.error(error);
    } finally {
      submitButton.disabled = false;
    }
  }

  async function approve(request: DeployRequest, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const outcome = await requestsApi.approve(request.id);
      if (left) return;
      showDeployed(outcome, true);
      void refreshSide();
    } catch (error) {
      if (!left) showProblem(error);
      button.disabled = false;
    }
  }

  async function reject(request: DeployRequest, reason: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const done = await requestsApi.reject(request.id, reason);
      if (left) return;
      messages.show('info', `Rejected the request for ${done.key} (revision ${done.draftRevision}).`);
      void refreshSide();
    } catch (error) {
      if (!left) messages.error(error);
      button.disabled = false;
    }
  }

  function showDeployed(outcome: DeployOutcome, approved = false): void {
    const d = outcome.definition;
    const open = h('a', { href: '#/definitions' }, 'Definitions');
    const prefix = approved ? 'Approved: ' : '';
    if (outcome.created) {
      const warnings = d.warnings.length ? [h('p', {}, 'Warnings:'), messages.problemList(d.warnings, 'warnings')] : [];
      messages.show('success', `${prefix}Deployed ${d.key} version ${d.version}`, ...warnings, h('p', {}, 'See ', open, '.'));
    } else {
      messages.show('info', `${prefix}Identical to version ${d.version} (not redeployed)`, h('p', {}, 'See ', open, '.'));
    }
  }

  function showProblem(error: unknown): void {
    messages.error(error);
    if (error instanceof ApiError) markers.show((error.problem.problems ?? []).flatMap((p: DefinitionProblem) => (p.elementId ? [p.elementId] : [])));
  }

  // ------------------------------------------------------------------ diff
  async function compareWith(before: { label: string; xml: () => Promise<string> }): Promise<void> {
    try {
      const [beforeXml, now] = await Promise.all([before.xml(), content()]);
      if (left) return;
      await showDiff({ label: before.label, xml: beforeXml }, { label: guard.isDirty ? 'editor (unsaved)' : 'editor', xml: now.bpmn });
    } catch (error) {
      if (!left) messages.error(error);
    }
  }

  async function compareWithDeployed(): Promise<void> {
    const k = key ?? processId();
    try {
      const list = versions ?? (k ? await versionsApi.list(k) : []);
      const latest = list[0];
      if (!latest) {
        messages.show('info', 'This process has no deployed version to compare with.');
        return;
      }
      await compareWith({ label: `deployed version ${latest.version}`, xml: () => versionsApi.xml(latest.id) });
    } catch (error) {
      if (!left) messages.error(error);
    }
  }

  async function showDiff(before: Side, after: Side): Promise<void> {
    const host = h('div', { class: 'diff-host', 'data-testid': 'diff' });
    const dialog = modalDialog(`Compare ${before.label} with ${after.label}`, host, { testId: 'diff-dialog' });
    const destroy = await renderDiff(host, before, after);
    await dialog.result;
    destroy();
    dialog.close();
  }

  // ------------------------------------------------------------------ files
  async function newDiagram(): Promise<void> {
    if (!guard.confirmDiscard('start a new diagram')) return;
    if (definitionId || draftId) {
      guard.set(false);
      location.hash = '#/modeler';
      return;
    }
    source = { kind: 'new' };
    draft = null;
    key = null;
    baseDefinitionId = null;
    forms = [];
    decisions = [];
    try {
      await show(DEFAULT_DIAGRAM, false);
    } catch (error) {
      if (!left) messages.error(error);
    }
    renderSource();
    renderFiles();
    void refreshSide();
  }

  /** Opens a local file as a new diagram (it is saved or deployed only when asked). */
  async function openFile(): Promise<void> {
    const file = openInput.files?.[0];
    if (!file) return;
    if (!guard.confirmDiscard(`open ${file.name}`)) {
      openInput.value = '';
      return;
    }
    try {
      const xml = await file.text();
      source = { kind: 'new' };
      draft = null;
      key = null;
      baseDefinitionId = null;
      forms = [];
      decisions = [];
      await show(xml, true);
      // A file is new content: saving it makes a new draft of its process.
      diagramEdited = true;
      renderSource();
      renderFiles();
      void refreshSide();
    } catch (error) {
      if (!left) messages.error(new Error(`${file.name} could not be opened: ${(error as Error).message}`));
      el.dataset.ready = 'failed'; // the open is over (the message says why); tests wait on this, not on a message that may be an earlier one
    } finally {
      openInput.value = '';
    }
  }

  async function download(): Promise<void> {
    try {
      const { bpmn } = await content();
      const url = URL.createObjectURL(new Blob([bpmn], { type: 'application/xml' }));
      const link = h('a', { href: url, download: `${processId() ?? 'diagram'}.bpmn` });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      messages.error(error);
    }
  }

  /** The id of the diagram's process, which becomes the definition key on deploy. */
  function processId(): string | undefined {
    const root = modeler.get<Canvas>('canvas').getRootElement() as { businessObject?: { $type?: string; id?: string; processRef?: { id?: string } } };
    const bo = root.businessObject;
    return bo?.$type === 'bpmn:Process' ? bo.id : undefined;
  }

  renderState();
  renderSide();
  renderFiles();
  renderSelection();
  void load();
  return {
    el,
    canLeave: () => guard.confirmDiscard(),
    destroy() {
      left = true;
      guard.destroy();
      modeler.destroy();
    },
  };
}

/** Whether a DMN document declares the decision `id`. */
function declaresDecision(xml: string, id: string): boolean {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  return Array.from(doc.getElementsByTagNameNS('*', 'decision')).some((d) => d.getAttribute('id') === id);
}
