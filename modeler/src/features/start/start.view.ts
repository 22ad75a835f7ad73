import { can } from '../../auth/permissions';
import { h, replace, type View } from '../../dom';
import { MessageArea } from '../../messages';
import { work, type DefinitionForm, type DefinitionSummary } from '../work/api';
import { mountForm, type MountedForm } from '../work/form';
import { emptyItem, loadingItem } from '../work/ui';

/** #/start: the processes a user may start, newest version of each; each opens its start form. */
export function startListView(): View {
  const list = h('ul', { class: 'process-cards', 'data-testid': 'start-list', 'aria-busy': 'true' }, loadingItem('li', 'Loading the processes…'));
  const messages = new MessageArea();
  let left = false;
  const el = h('section', { class: 'view', 'aria-labelledby': 'start-title' },
    h('div', { class: 'toolbar' }, h('h1', { id: 'start-title' }, 'Start a process')),
    can.startInstances() ? null : h('p', { class: 'hint', 'data-testid': 'read-only' }, 'Your roles do not allow starting processes.'),
    messages.el, list);

  void work.definitions().then(
    (definitions) => {
      if (left) return;
      list.removeAttribute('aria-busy');
      const active = definitions.filter((d) => d.state === 'active').sort((a, b) => (a.name ?? a.key).localeCompare(b.name ?? b.key));
      replace(list, ...(active.length ? active.map(card) : [emptyItem('li', 'No process is deployed yet.')]));
    },
    (error) => {
      if (left) return;
      list.removeAttribute('aria-busy');
      replace(list, h('li', { class: 'load-error' }, 'The processes could not be loaded.'));
      messages.error(error);
    },
  );

  function card(d: DefinitionSummary): HTMLLIElement {
    return h('li', { 'data-testid': 'start-process', 'data-key': d.key },
      h('strong', {}, d.name ?? d.key),
      h('span', { class: 'hint' }, `${d.key} · version ${d.version}`),
      can.startInstances() ? h('a', { href: `#/start/${encodeURIComponent(d.key)}`, class: 'button', 'data-testid': 'start-open' }, 'Start…') : null);
  }

  return { el, destroy: () => void (left = true) };
}

/**
 * #/start/:key: the latest version's start form (the form its top-level start event names), filled
 * in and checked by form-js, then POST /api/instances with the values as variables. A process
 * without a start form starts with no variables.
 */
export function startFormView(key: string): View {
  const messages = new MessageArea();
  const title = h('h1', { id: 'start-form-title' }, `Start ${key}`);
  const host = h('div', { class: 'form-host', 'data-testid': 'start-form' }, h('p', { class: 'loading' }, 'Loading the start form…'));
  const startButton = h('button', { type: 'button', class: 'primary', disabled: true, 'data-testid': 'start-submit', onclick: () => void start() }, 'Start');
  let form: MountedForm | null = null;
  let left = false;
  const el = h('section', { class: 'view', 'aria-labelledby': 'start-form-title' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/start' }, '← All processes')),
    h('div', { class: 'work-head' }, title),
    messages.el,
    h('section', { class: 'panel' }, host, h('div', { class: 'form-actions' }, startButton)));

  async function load(): Promise<void> {
    try {
      const [definition] = await work.definitions(key);
      if (left) return;
      if (!definition) {
        replace(host, h('p', { class: 'empty' }, `No process "${key}" is deployed.`));
        return;
      }
      replace(title, `Start: ${definition.name ?? definition.key}`);
      const [forms, xml] = await Promise.all([work.definitionForms(definition.id), work.definitionXml(definition.id)]);
      if (left) return;
      const schema = startFormOf(xml, forms);
      if (schema) {
        replace(host);
        form = await mountForm(host, schema.schema, {});
        if (left) return form.destroy();
      } else {
        replace(host, h('p', { class: 'hint', 'data-testid': 'no-start-form' }, 'This process has no start form: it starts without data.'));
      }
      startButton.disabled = !can.startInstances();
      el.dataset.ready = 'true';
    } catch (error) {
      if (left) return;
      replace(host, h('p', { class: 'load-error' }, 'The start form could not be loaded.'));
      messages.error(error);
    }
  }

  async function start(): Promise<void> {
    let variables: Record<string, unknown> = {};
    if (form) {
      const result = form.submit();
      if (!result.valid) {
        messages.show('error', 'Some fields need attention: see the marked fields.');
        return;
      }
      variables = withoutEmpty(result.data);
    }
    startButton.disabled = true;
    try {
      const { instance, tasks } = await work.start(key, variables);
      if (left) return;
      const number = typeof instance.variables.recordNumber === 'string' ? instance.variables.recordNumber : null;
      messages.show(
        'success',
        number ? `Logged ${number}.` : `Started ${key}: the process is ${instance.status}.`,
        h('p', {},
          number ? h('a', { href: `#/records/${number}`, 'data-testid': 'started-record' }, `Open ${number}`) : null,
          number ? ' · ' : null,
          h('a', { href: `#/instances/${instance.id}`, 'data-testid': 'instance-link' }, 'Open the process instance'),
          tasks.length ? ' · ' : null,
          tasks.length ? h('a', { href: '#/tasks', 'data-testid': 'started-tasks' }, `${tasks.length} open task${tasks.length === 1 ? '' : 's'} in the task list`) : null),
      );
    } catch (error) {
      if (!left) messages.error(error);
    } finally {
      startButton.disabled = false;
    }
  }

  void load();
  return { el, destroy() { left = true; form?.destroy(); } };
}

/** The form the process's top-level start event names (camunda:formRef, or a formKey naming a deployed form). */
function startFormOf(xml: string, forms: DefinitionForm[]): DefinitionForm | null {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  for (const process of Array.from(doc.getElementsByTagNameNS('*', 'process'))) {
    for (const child of Array.from(process.children)) {
      if (child.localName !== 'startEvent') continue;
      // a plain start event (message/timer/signal starts are not started by hand)
      if (Array.from(child.children).some((c) => c.localName.endsWith('EventDefinition'))) continue;
      const byBinding = forms.find((f) => f.elementIds.includes(child.id));
      if (byBinding) return byBinding;
      const ref = child.getAttributeNS('http://camunda.org/schema/1.0/bpmn', 'formRef') ?? child.getAttributeNS('http://camunda.org/schema/1.0/bpmn', 'formKey');
      const byRef = ref ? forms.find((f) => f.formId === ref) : undefined;
      if (byRef) return byRef;
    }
  }
  return null;
}

/** Empty optional fields are left out rather than sent as "" (the process sees them unset). */
function withoutEmpty(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== '' && v !== null && v !== undefined));
}
