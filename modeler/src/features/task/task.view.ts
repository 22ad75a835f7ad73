import { ApiError, type Task } from '../../api/client';
import { can } from '../../auth/permissions';
import { currentUser } from '../../auth/session';
import { details, formatDate, h, replace, type View } from '../../dom';
import { MessageArea } from '../../messages';
import { work, type RecordDetail, type TaskView } from '../work/api';
import { createDiagram } from '../work/diagram';
import { fieldErrorsOf, mountForm, type MountedForm } from '../work/form';
import { timeline } from '../work/timeline';
import { dueBadge, dueOf, priorityBadge, slaBadge, splitFields, statusBadge } from '../work/ui';

/**
 * #/tasks/:id: one task: its form (form-js, validated again by the server, whose field errors show
 * on the fields), claim, unclaim and complete when they can succeed, the record it works on with
 * its timeline, and the diagram with the current step highlighted.
 */
export function taskView(taskId: string): View {
  const user = currentUser();
  const mayWork = can.workOnTasks();
  const messages = new MessageArea();
  const head = h('div', { class: 'work-head' }, h('h1', { id: 'task-title' }, 'Task'));
  const summary = h('div', { 'data-testid': 'task-summary' });
  const actions = h('div', { class: 'form-actions', 'data-testid': 'task-actions' });
  const formHost = h('div', { class: 'form-host', 'data-testid': 'task-form' }, h('p', { class: 'loading' }, 'Loading the form…'));
  const recordPanel = h('section', { class: 'panel', 'aria-labelledby': 'task-record-title', 'data-testid': 'task-record-panel' }, h('h2', { id: 'task-record-title' }, 'Record'), h('p', { class: 'loading' }, 'Loading the record…'));
  const canvas = h('div', { class: 'canvas viewer', 'data-testid': 'task-diagram', 'aria-label': 'Process diagram' });
  const diagram = createDiagram(canvas);
  let form: MountedForm | null = null;
  let variables: HTMLTextAreaElement | null = null;
  let task: TaskView | null = null;
  let left = false;

  const el = h(
    'section',
    { class: 'view', 'aria-labelledby': 'task-title' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/tasks' }, '← Tasks')),
    head,
    summary,
    messages.el,
    h('div', { class: 'work-grid' },
      h('section', { class: 'panel', 'aria-labelledby': 'task-form-title' }, h('h2', { id: 'task-form-title' }, 'Form'), formHost, actions),
      recordPanel,
    ),
    h('figure', { class: 'diagram' }, canvas, h('figcaption', { class: 'legend' }, h('span', { class: 'swatch completed' }), 'completed', h('span', { class: 'swatch active' }), 'this step')),
  );

  async function load(): Promise<void> {
    try {
      task = await work.task(taskId);
    } catch (error) {
      if (left) return;
      replace(formHost, h('p', { class: 'load-error' }, 'This task could not be loaded.'));
      replace(recordPanel);
      messages.error(error);
      return;
    }
    if (left) return;
    renderHead(task);
    const t = task;
    // the record's timeline names elements from the diagram: load it first
    await Promise.all([loadForm(t), loadDiagram(t).then(() => loadRecord(t))]);
    if (!left) el.dataset.ready = 'true';
  }

  function renderHead(t: TaskView): void {
    const title = t.name ?? t.elementId;
    document.title = `${title} · ITSM Orchestrator`;
    replace(head, h('h1', { id: 'task-title', 'data-testid': 'task-name' }, title), statusBadge(t.status), priorityBadge(t), slaBadge(t.record?.sla.status ?? null));
    replace(
      summary,
      details({ class: 'panel' }, [
        ['Record', t.record ? h('a', { href: `#/records/${t.record.number}`, 'data-testid': 'task-record-link' }, `${t.record.number} · ${t.record.title ?? 'untitled'}`) : '—'],
        ['Due', t.status === 'open' ? dueBadge(dueOf(t)) : '—'],
        ['Assignee', t.assignee ?? 'unassigned'],
        ['Candidates', [...t.candidateGroups, ...t.candidateUsers].join(', ') || '—'],
        ['Process', h('a', { href: `#/instances/${t.instanceId}`, 'data-testid': 'task-instance-link' }, `${t.definitionKey} instance`)],
        ['Created', formatDate(t.createdAt)],
        ...(t.completedAt ? [['Completed', `${formatDate(t.completedAt)} by ${t.completedBy ?? '?'}`] as [string, string]] : []),
      ]),
    );
    renderActions(t);
  }

  /** Claim when unassigned, unclaim when it is the caller's, complete when open and not someone else's. */
  function renderActions(t: TaskView): void {
    const open = t.status === 'open';
    const mine = t.assignee === user.username;
    const free = t.assignee === null;
    form?.setReadOnly(!(mayWork && open && (free || mine)));
    const button = (testId: string, label: string, run: () => Promise<void>, primary = false) =>
      h('button', { type: 'button', class: primary ? 'primary' : undefined, 'data-testid': testId, onclick: (e: Event) => void guarded(e.currentTarget as HTMLButtonElement, run) }, label);
    replace(
      actions,
      mayWork && open && (free || mine) ? button('complete', 'Complete task', complete, true) : null,
      mayWork && open && free ? button('claim', 'Claim', claim) : null,
      mayWork && open && mine ? button('unclaim', 'Unclaim', unclaim) : null,
      open && !free && !mine ? h('p', { class: 'hint' }, `Claimed by ${t.assignee}.`) : null,
      !mayWork ? h('p', { class: 'hint', 'data-testid': 'read-only' }, 'Your roles allow reading tasks only.') : null,
      !open ? h('p', { class: 'hint' }, `This task is ${t.status}.`) : null,
    );
  }

  async function guarded(buttonEl: HTMLButtonElement, run: () => Promise<void>): Promise<void> {
    buttonEl.disabled = true;
    try {
      await run();
    } finally {
      buttonEl.disabled = false;
    }
  }

  async function claim(): Promise<void> {
    try {
      const t = await work.claim(taskId);
      if (left || !task) return;
      task = { ...task, assignee: t.assignee };
      renderHead(task);
      messages.show('success', `Claimed "${t.name ?? t.elementId}" for ${t.assignee ?? '?'}.`);
    } catch (error) {
      if (!left) messages.error(error);
    }
  }

  async function unclaim(): Promise<void> {
    try {
      await work.unclaim(taskId);
      if (left || !task) return;
      task = { ...task, assignee: null };
      renderHead(task);
      messages.show('success', 'Unclaimed: the task is offered to its candidates again.');
    } catch (error) {
      if (!left) messages.error(error);
    }
  }

  async function complete(): Promise<void> {
    let data: Record<string, unknown>;
    if (form) {
      // form-js marks what it finds; the server checks again and its answer is the one that counts.
      data = form.submit().data;
    } else {
      try {
        data = parseVariables(variables?.value ?? '{}');
      } catch (error) {
        messages.error(error);
        return;
      }
    }
    try {
      const result = await work.complete(taskId, data);
      if (left || !task) return;
      form?.showErrors([]);
      task = { ...task, status: 'completed', completedAt: new Date().toISOString(), completedBy: user.username };
      renderHead(task);
      const next = result.tasks.filter((t) => isMine(t));
      messages.show(
        'success',
        `Completed "${task.name ?? task.elementId}"${task.record ? ` for ${task.record.number}` : ''}; the process is ${result.instance.status}.`,
        h('p', {}, ...(next.length ? [h('a', { href: `#/tasks/${next[0]!.id}`, 'data-testid': 'next-task' }, `Next: ${next[0]!.name ?? next[0]!.elementId}`), ' · '] : []), h('a', { href: '#/tasks' }, 'Back to the task list')),
      );
      void loadDiagram(task);
      if (task.record) void loadRecord(task);
    } catch (error) {
      if (left) return;
      if (error instanceof ApiError && error.status === 422) {
        const errors = fieldErrorsOf(error.problem);
        const unplaced = form ? form.showErrors(errors) : errors;
        const list = unplaced.length ? [h('ul', { class: 'problems' }, ...unplaced.map((e) => h('li', {}, `${e.field}: ${e.message}`)))] : [];
        messages.show('error', errors.length ? `The server refused ${errors.length === 1 ? 'a value' : `${errors.length} values`}: see the marked field${errors.length === 1 ? '' : 's'}.` : error.problem.detail, ...list);
        return;
      }
      messages.error(error);
    }
  }

  function isMine(t: Task): boolean {
    return t.assignee === user.username || (t.assignee === null && (t.candidateUsers.includes(user.username) || t.candidateGroups.some((g) => user.groups.includes(g))));
  }

  async function loadForm(t: TaskView): Promise<void> {
    if (!t.formId) {
      variables = h('textarea', { id: 'task-variables', rows: 5, spellcheck: 'false', 'data-testid': 'task-variables' }, '{}');
      replace(formHost, h('p', { class: 'hint' }, 'This task has no form: complete it with variables (a JSON object), e.g. {"approved": true}.'), h('label', { for: 'task-variables' }, 'Variables'), variables);
      return;
    }
    try {
      const { schema, data } = await work.taskForm(t.id);
      if (left) return;
      replace(formHost);
      form = await mountForm(formHost, schema, data);
      if (left) form.destroy();
      else if (task) renderActions(task);
    } catch (error) {
      if (left) return;
      replace(formHost, h('p', { class: 'load-error' }, 'The form could not be loaded.'));
      messages.error(error);
    }
  }

  async function loadRecord(t: TaskView): Promise<void> {
    if (!t.record) {
      replace(recordPanel, h('h2', { id: 'task-record-title' }, 'Record'), h('p', { class: 'empty' }, 'This process keeps no record.'));
      return;
    }
    let record: RecordDetail;
    try {
      record = await work.record(t.record.number);
    } catch (error) {
      if (left) return;
      const hidden = error instanceof ApiError && error.status === 404;
      replace(recordPanel, h('h2', { id: 'task-record-title' }, `Record ${t.record.number}`), h('p', { class: hidden ? 'empty' : 'load-error' }, hidden ? 'You may not see this record.' : 'The record could not be loaded.'));
      return;
    }
    if (left) return;
    replace(
      recordPanel,
      h('h2', { id: 'task-record-title' }, h('a', { href: `#/records/${record.number}` }, `Record ${record.number}`)),
      details({ 'data-testid': 'record-details' }, [
        ['Title', record.title ?? '—'],
        ['State', record.state],
        ['Priority', record.priority ?? '—'],
        ['Opened', `${formatDate(record.openedAt)}${record.openedBy ? ` by ${record.openedBy}` : ''}`],
        ['Response due', record.sla.responseDueAt ? `${formatDate(record.sla.responseDueAt)}${record.sla.responseMet === null ? '' : record.sla.responseMet ? ' (met)' : ' (missed)'}` : '—'],
        ['Resolution due', record.sla.resolutionDueAt ? `${formatDate(record.sla.resolutionDueAt)}${record.sla.resolutionMet === null ? '' : record.sla.resolutionMet ? ' (met)' : ' (missed)'}` : '—'],
        ...splitFields(record.fields).simple.slice(0, 15),
      ]),
      h('h3', {}, 'Timeline'),
      timeline(record.timeline, (id) => diagram.nameOf(id)),
    );
  }

  async function loadDiagram(t: TaskView): Promise<void> {
    try {
      const [instance, history] = await Promise.all([work.instance(t.instanceId), work.history(t.instanceId)]);
      if (left) return;
      const xml = await work.definitionXml(instance.definitionId);
      if (left) return;
      const completed = history.flatMap((e) => ((e.type === 'element.completed' || e.type === 'flow.taken') && e.elementId ? [e.elementId] : []));
      await diagram.show(xml, { completed, active: t.status === 'open' ? [t.elementId] : [] }, true);
    } catch (error) {
      if (!left) replace(canvas, h('p', { class: 'load-error' }, `The diagram could not be shown: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  void load();
  return {
    el,
    destroy() {
      left = true;
      form?.destroy();
      diagram.destroy();
    },
  };
}

/** Variables for a task without a form: a JSON object. */
function parseVariables(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() || '{}');
  } catch (error) {
    throw new Error(`Variables are not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('Variables must be a JSON object, e.g. {"approved": true}');
  return value as Record<string, unknown>;
}
