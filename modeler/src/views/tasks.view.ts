import { api, type Task } from '../api/client';
import { can } from '../auth/permissions';
import { currentUser } from '../auth/session';
import { details, formatDate, h, replace, type View } from '../dom';
import { MessageArea } from '../messages';

/** `mine`: every open task the server shows the user (assigned or offered to them or their groups; all for admins and auditors). */
type FilterKind = 'mine' | 'candidateGroup' | 'assignee';
const KINDS: FilterKind[] = ['mine', 'candidateGroup', 'assignee'];
interface Filter {
  kind: FilterKind;
  group: string;
}

const FILTER_KEY = 'itsm.taskFilter';

/** #/tasks: open tasks of a candidate group or of the signed-in user, with claim/unclaim/complete. */
export function tasksView(): View {
  const user = currentUser();
  const mayWork = can.workOnTasks();
  const messages = new MessageArea();
  const list = h('ol', { class: 'tasks', 'data-testid': 'task-list', 'aria-live': 'polite' });
  const filter = loadFilter(user.groups);
  let left = false;

  const kind = h(
    'select',
    { id: 'task-filter-kind', name: 'kind', 'data-testid': 'task-filter-kind' },
    h('option', { value: 'mine' }, 'All I may see'),
    h('option', { value: 'candidateGroup' }, 'Candidate group'),
    h('option', { value: 'assignee' }, 'Assigned to me'),
  );
  kind.value = filter.kind;
  const group = h('input', { id: 'task-filter-group', name: 'group', value: filter.group, list: 'task-filter-groups', 'data-testid': 'task-filter-group' });
  const myGroups = h('datalist', { id: 'task-filter-groups' }, ...user.groups.map((g) => h('option', { value: g })));
  const groupField = h('span', { class: 'field' }, h('label', { for: 'task-filter-group' }, 'Group'), group);
  const syncForm = () => (groupField.hidden = kind.value !== 'candidateGroup');
  kind.addEventListener('change', syncForm);
  syncForm();

  const form = h(
    'form',
    {
      class: 'toolbar',
      role: 'search',
      'data-testid': 'task-filter',
      onsubmit: (event: Event) => {
        event.preventDefault();
        filter.kind = kind.value as FilterKind;
        filter.group = group.value.trim();
        sessionStorage.setItem(FILTER_KEY, JSON.stringify(filter));
        void refresh();
      },
    },
    h('h1', {}, 'Tasks'),
    h('label', { for: 'task-filter-kind' }, 'Show'),
    kind,
    groupField,
    myGroups,
    h('button', { type: 'submit', 'data-testid': 'task-filter-apply' }, 'Show tasks'),
  );

  const el = h(
    'section',
    { class: 'view' },
    form,
    mayWork ? null : h('p', { class: 'hint', 'data-testid': 'read-only' }, 'Your roles allow reading tasks only.'),
    messages.el,
    list,
  );

  async function refresh(): Promise<void> {
    const query = filter.kind === 'assignee' ? { assignee: user.username } : filter.kind === 'candidateGroup' ? { candidateGroup: filter.group } : {};
    if (filter.kind === 'candidateGroup' && !filter.group) {
      replace(list, h('li', { class: 'empty' }, 'Enter a candidate group.'));
      return;
    }
    try {
      const page = await api.tasks.list(query);
      if (left) return;
      replace(list, ...(page.items.length ? page.items.map(card) : [h('li', { class: 'empty', 'data-testid': 'no-tasks' }, 'No open tasks.')]));
      if (page.total > page.items.length) list.append(h('li', { class: 'empty' }, `Showing ${page.items.length} of ${page.total}.`));
    } catch (error) {
      if (!left) messages.error(error);
    }
  }

  function card(task: Task): HTMLLIElement {
    const titleId = `task-${task.id}-title`;
    const variablesId = `task-${task.id}-variables`;
    const variables = h('textarea', { id: variablesId, rows: 3, spellcheck: 'false', 'data-testid': 'task-variables' }, '{}');
    const me = user.username;
    const claimed = task.assignee !== null;
    const run = (action: () => Promise<string>) => async (event: Event) => {
      const button = event.currentTarget as HTMLButtonElement;
      button.disabled = true;
      try {
        const text = await action();
        if (left) return;
        messages.show('success', text);
        await refresh();
      } catch (error) {
        if (!left) messages.error(error);
      } finally {
        button.disabled = false;
      }
    };

    const claimButton = claimed
      ? h('button', { type: 'button', 'data-testid': 'unclaim', onclick: run(async () => {
          await api.tasks.unclaim(task.id);
          return `Unclaimed "${task.name ?? task.elementId}".`;
        }) }, task.assignee === me ? 'Unclaim' : `Unclaim (${task.assignee})`)
      : h('button', { type: 'button', 'data-testid': 'claim', onclick: run(async () => {
          const t = await api.tasks.claim(task.id);
          return `Claimed "${t.name ?? t.elementId}" for ${t.assignee}.`;
        }) }, 'Claim');
    const completeForm = h(
      'div',
      { class: 'complete' },
      h('label', { for: variablesId }, 'Variables (JSON object)'),
      variables,
      h('button', { type: 'button', class: 'primary', 'data-testid': 'complete', onclick: run(async () => {
        const result = await api.tasks.complete(task.id, parseVariables(variables.value));
        return `Completed "${task.name ?? task.elementId}"; the instance is ${result.instance.status}.`;
      }) }, 'Complete'),
    );

    return h(
      'li',
      { class: 'task', 'aria-labelledby': titleId, 'data-testid': 'task', 'data-task-id': task.id, 'data-instance-id': task.instanceId },
      h('h2', { id: titleId }, task.name ?? task.elementId),
      details({}, [
        ['Element', task.elementId],
        ['Priority', String(task.priority)],
        ['Due', formatDate(task.dueAt)],
        ['Assignee', task.assignee ?? 'unassigned'],
        ['Candidate groups', task.candidateGroups.join(', ') || '—'],
        ['Process', h('a', { href: `#/instances/${task.instanceId}` }, task.definitionKey)],
      ]),
      // Auditors read only: no actions (the server refuses them anyway).
      mayWork && h('div', { class: 'actions' }, claimButton),
      mayWork && completeForm,
    );
  }

  void refresh();
  return {
    el,
    destroy() {
      left = true;
    },
  };
}

/** The variables a task completes with: a JSON object, checked before it is sent. */
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

/** The filter last used in this tab, else every task the user may see (candidate group: their first). */
function loadFilter(groups: string[]): Filter {
  try {
    const saved = JSON.parse(sessionStorage.getItem(FILTER_KEY) ?? 'null') as Partial<Filter> | null;
    if (saved?.kind && KINDS.includes(saved.kind)) return { kind: saved.kind, group: saved.group ?? '' };
  } catch {
    // a damaged entry falls back to the default
  }
  return { kind: 'mine', group: groups[0] ?? '' };
}
