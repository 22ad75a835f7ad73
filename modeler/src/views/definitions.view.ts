import { api, ApiError, type Definition } from '../api/client';
import { can } from '../auth/permissions';
import { formatDate, h, replace, type View } from '../dom';
import { MessageArea } from '../messages';

/** #/definitions: the latest version of every process, upload, and "start instance". */
export function definitionsView(): View {
  const messages = new MessageArea();
  const tbody = h('tbody');
  const fileInput = h('input', {
    type: 'file',
    id: 'definition-file',
    name: 'file',
    accept: '.bpmn,.xml,application/xml,text/xml',
    'data-testid': 'upload-input',
    onchange: () => void upload(),
  });
  let left = false;
  const mayDeploy = can.deploy();
  const mayStart = can.startInstances();

  const el = h(
    'section',
    { class: 'view', 'aria-labelledby': 'definitions-title' },
    h(
      'div',
      { class: 'toolbar' },
      h('h1', { id: 'definitions-title' }, 'Process definitions'),
      h('a', { href: '#/modeler', class: 'button' }, 'New diagram'),
      mayDeploy ? h('label', { for: 'definition-file', class: 'button', 'data-testid': 'upload' }, 'Deploy a .bpmn file…') : null,
      mayDeploy ? fileInput : null,
    ),
    messages.el,
    h(
      'table',
      { 'data-testid': 'definitions-table' },
      h('thead', {}, h('tr', {}, ...['Key', 'Name', 'Version', 'Version tag', 'Deployed', 'State', ''].map((c) => h('th', { scope: 'col' }, c)))),
      tbody,
    ),
  );

  async function refresh(): Promise<void> {
    try {
      const definitions = await api.definitions.list();
      if (left) return;
      replace(
        tbody,
        ...(definitions.length ? definitions.map(row) : [h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'Nothing deployed yet.'))]),
      );
    } catch (error) {
      // In the table, so that it does not hide the outcome of the deploy that triggered it.
      if (!left) replace(tbody, h('tr', {}, h('td', { colspan: 7, class: 'load-error', 'data-testid': 'definitions-error' }, `Could not load the definitions: ${describe(error)}`)));
    }
  }

  function row(d: Definition): HTMLTableRowElement {
    const start = mayStart
      ? h('button', { type: 'button', 'data-testid': 'start-instance', onclick: (e: Event) => void startInstance(d, e.currentTarget as HTMLButtonElement) }, 'Start instance')
      : null;
    return h(
      'tr',
      { 'data-testid': 'definition-row', 'data-key': d.key },
      h('td', {}, h('a', { href: `#/modeler/${d.id}`, title: 'Open in the modeler' }, d.key)),
      h('td', {}, d.name ?? ''),
      h('td', { class: 'num' }, d.version),
      h('td', {}, d.versionTag ?? ''),
      h('td', {}, formatDate(d.deployedAt)),
      h('td', {}, d.state),
      h('td', { class: 'actions' }, start),
    );
  }

  async function startInstance(d: Definition, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const { instance, tasks } = await api.instances.start(d.key);
      if (left) return;
      const link = h('a', { href: `#/instances/${instance.id}`, 'data-testid': 'instance-link' }, `instance ${instance.id}`);
      const waiting = tasks.length ? `; ${tasks.length} open task(s)` : '';
      messages.show('success', `Started ${d.key} version ${instance.definitionVersion}: ${instance.status}${waiting}.`, h('p', {}, 'Open ', link));
    } catch (error) {
      if (!left) messages.error(error);
    } finally {
      button.disabled = false;
    }
  }

  async function upload(): Promise<void> {
    const file = fileInput.files?.[0];
    if (!file) return;
    messages.show('info', `Deploying ${file.name}…`);
    try {
      const { status, body } = await api.definitions.deployFile(file);
      if (left) return;
      const warnings = body.warnings.length ? [messages.problemList(body.warnings, 'warnings')] : [];
      messages.show(
        status === 201 ? 'success' : 'info',
        status === 201 ? `Deployed ${body.key} version ${body.version}` : `Identical to version ${body.version} (not redeployed)`,
        ...warnings,
      );
      await refresh();
    } catch (error) {
      if (!left) messages.error(error);
    } finally {
      fileInput.value = ''; // the same file can be chosen again
    }
  }

  void refresh();
  return {
    el,
    destroy() {
      left = true;
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof ApiError) return `${error.status} ${error.problem.detail}`;
  return error instanceof Error ? error.message : String(error);
}
