import { can } from '../../auth/permissions';
import { currentUser } from '../../auth/session';
import { h, replace, type View } from '../../dom';
import { MessageArea } from '../../messages';
import { work, type TaskQuery, type TaskView } from '../work/api';
import { dueBadge, dueOf, emptyItem, loadingItem, priorityBadge, slaBadge, timeLeft } from '../work/ui';
import { asFilter, deleteView, loadViews, saveView, SORTS, type TaskFilter, type TaskKind } from './saved-views';

const FILTER_KEY = 'itsm.taskFilter';
const PAGE_SIZE = 50;
const REFRESH_MS = 30_000;
const KIND_LABELS: Record<TaskKind, string> = {
  mine: 'All I may see',
  assignee: 'My tasks',
  groups: "My groups' tasks",
  candidateGroup: 'One candidate group',
};
const SORT_LABELS: Record<(typeof SORTS)[number], string> = { priority: 'Priority', due: 'Due date', record: 'Record number', created: 'Oldest first' };

/**
 * #/tasks: the tasks of the signed-in user (assigned to them, offered to their groups, or all they
 * may see), filtered, sorted and searched on the server; saved views (this browser, per user);
 * refreshed every 30 s while the page is visible. Each card shows the record, priority, due date
 * with the time left and the overdue or SLA marker; claim and unclaim are offered when they can work.
 */
export function tasksView(): View {
  const user = currentUser();
  const mayWork = can.workOnTasks();
  const messages = new MessageArea();
  const list = h('ol', { class: 'task-cards', 'data-testid': 'task-list', 'aria-live': 'polite', 'aria-label': 'Tasks' });
  const footer = h('div', { class: 'list-footer', 'data-testid': 'task-list-footer' });
  const filter = loadFilter(user.groups);
  let size = PAGE_SIZE;
  let left = false;
  let loading = false;
  let timer: number | undefined;

  // ---- filter form
  const kind = h('select', { id: 'task-filter-kind', name: 'kind', 'data-testid': 'task-filter-kind' },
    ...(Object.keys(KIND_LABELS) as TaskKind[]).map((k) => h('option', { value: k }, KIND_LABELS[k])));
  const group = h('input', { type: 'text', id: 'task-filter-group', name: 'group', list: 'task-filter-groups', autocomplete: 'off', 'data-testid': 'task-filter-group' });
  const groupList = h('datalist', { id: 'task-filter-groups' }, ...user.groups.map((g) => h('option', { value: g })));
  const groupField = h('div', { class: 'field' }, h('label', { for: 'task-filter-group' }, 'Group'), group, groupList);
  const q = h('input', { type: 'search', id: 'task-filter-q', name: 'q', placeholder: 'INC0000001, title, task', maxlength: 100, 'data-testid': 'task-filter-q' });
  const overdue = h('input', { type: 'checkbox', id: 'task-filter-overdue', name: 'overdue', 'data-testid': 'task-filter-overdue' });
  const sort = h('select', { id: 'task-filter-sort', name: 'sort', 'data-testid': 'task-filter-sort' }, ...SORTS.map((s) => h('option', { value: s }, SORT_LABELS[s])));
  const syncForm = () => (groupField.hidden = kind.value !== 'candidateGroup');
  const fill = (f: TaskFilter) => {
    kind.value = f.kind;
    group.value = f.group;
    q.value = f.q;
    overdue.checked = f.overdue;
    sort.value = f.sort;
    syncForm();
  };
  kind.addEventListener('change', syncForm);
  // Choosing a sort or the overdue box applies at once; text fields apply with the button or Enter.
  sort.addEventListener('change', () => form.requestSubmit());
  overdue.addEventListener('change', () => form.requestSubmit());

  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter tasks', 'data-testid': 'task-filter', onsubmit: (e: Event) => { e.preventDefault(); apply(readForm()); } },
    h('div', { class: 'field' }, h('label', { for: 'task-filter-kind' }, 'Show'), kind),
    groupField,
    h('div', { class: 'field' }, h('label', { for: 'task-filter-q' }, 'Search'), q),
    h('div', { class: 'field' }, h('label', { for: 'task-filter-sort' }, 'Sort by'), sort),
    h('div', { class: 'field check' }, overdue, h('label', { for: 'task-filter-overdue' }, 'Overdue only')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'task-filter-apply' }, 'Show tasks')),
  );

  // ---- saved views
  let views = loadViews(user.username);
  const viewSelect = h('select', { id: 'task-saved-view', 'data-testid': 'saved-view-select', onchange: () => useView() });
  const viewName = h('input', { type: 'text', id: 'task-view-name', maxlength: 60, placeholder: 'View name', 'data-testid': 'saved-view-name' });
  const deleteButton = h('button', { type: 'button', 'data-testid': 'saved-view-delete', onclick: () => removeView() }, 'Delete view');
  const savedViews = h(
    'form',
    { class: 'filters', 'aria-label': 'Saved views', 'data-testid': 'saved-views', onsubmit: (e: Event) => { e.preventDefault(); storeView(); } },
    h('div', { class: 'field' }, h('label', { for: 'task-saved-view' }, 'Saved views'), viewSelect),
    h('div', { class: 'field' }, h('label', { for: 'task-view-name' }, 'Save the filter above as'), viewName),
    h('div', { class: 'actions' }, h('button', { type: 'submit', 'data-testid': 'saved-view-save' }, 'Save view'), deleteButton),
  );
  const renderViews = (selected = '') => {
    replace(viewSelect, h('option', { value: '' }, views.length ? '— choose a view —' : 'none saved yet'), ...views.map((v) => h('option', { value: v.name }, v.name)));
    viewSelect.value = selected;
    deleteButton.disabled = !selected;
  };
  const useView = () => {
    const view = views.find((v) => v.name === viewSelect.value);
    deleteButton.disabled = !view;
    if (!view) return;
    viewName.value = view.name;
    fill(view.filter);
    apply(view.filter);
  };
  const storeView = () => {
    const name = viewName.value.trim();
    if (!name) {
      messages.show('error', 'Give the view a name.');
      viewName.focus();
      return;
    }
    try {
      views = saveView(user.username, { name, filter: readForm() });
      renderViews(name);
      messages.show('success', `Saved the view "${name}".`);
    } catch (error) {
      messages.error(error); // e.g. storage full or disabled
    }
  };
  const removeView = () => {
    const name = viewSelect.value;
    if (!name) return;
    views = deleteView(user.username, name);
    renderViews();
    viewName.value = '';
    messages.show('info', `Deleted the view "${name}".`);
  };

  // ---- auto-refresh
  const autoRefresh = h('input', { type: 'checkbox', id: 'task-auto-refresh', checked: true, 'data-testid': 'auto-refresh', onchange: () => schedule() });
  const updated = h('span', { 'data-testid': 'task-list-updated', 'aria-live': 'off' });

  const el = h(
    'section',
    { class: 'view', 'aria-labelledby': 'tasks-title' },
    h('div', { class: 'toolbar' },
      h('h1', { id: 'tasks-title' }, 'Tasks'),
      h('span', { class: 'field' }, autoRefresh, h('label', { for: 'task-auto-refresh' }, 'Refresh every 30 s')),
      updated,
      h('button', { type: 'button', 'data-testid': 'task-refresh', onclick: () => void refresh() }, 'Refresh now'),
    ),
    mayWork ? null : h('p', { class: 'hint', 'data-testid': 'read-only' }, 'Your roles allow reading tasks only.'),
    form,
    savedViews,
    messages.el,
    list,
    footer,
  );

  function readForm(): TaskFilter {
    return { kind: kind.value as TaskKind, group: group.value.trim(), q: q.value.trim(), overdue: overdue.checked, sort: sort.value as TaskFilter['sort'] };
  }

  function apply(next: TaskFilter): void {
    Object.assign(filter, next);
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(filter));
    size = PAGE_SIZE;
    void refresh(true);
  }

  function query(): TaskQuery | null {
    const base: TaskQuery = { q: filter.q || undefined, overdue: filter.overdue ? 'true' : undefined, sort: filter.sort, size };
    switch (filter.kind) {
      case 'assignee': return { ...base, scope: 'assigned' };
      case 'groups': return { ...base, scope: 'groups' };
      case 'candidateGroup': return filter.group ? { ...base, candidateGroup: filter.group } : null;
      default: return base;
    }
  }

  async function refresh(showLoading = false): Promise<void> {
    const q = query();
    if (!q) {
      replace(list, emptyItem('li', 'Enter a candidate group.'));
      replace(footer);
      return;
    }
    if (loading) return;
    loading = true;
    list.setAttribute('aria-busy', 'true');
    if (showLoading || !list.querySelector('[data-testid="task"]')) replace(list, loadingItem('li', 'Loading tasks…'));
    try {
      const page = await work.tasks(q);
      if (left) return;
      const now = Date.now();
      replace(list, ...(page.items.length ? page.items.map((t) => card(t, now)) : [emptyItem('li', filter.overdue || filter.q ? 'No open task matches this filter.' : 'No open tasks.')]));
      // the old view's test id for "nothing to do"
      if (!page.items.length) list.firstElementChild?.setAttribute('data-testid', 'no-tasks');
      replace(
        footer,
        `Showing ${page.items.length} of ${page.total}${page.totalCapped ? '+' : ''} task${page.total === 1 ? '' : 's'}.`,
        page.total > page.items.length ? h('button', { type: 'button', 'data-testid': 'task-more', onclick: () => { size = Math.min(size + PAGE_SIZE, 200); void refresh(); } }, 'Show more') : null,
      );
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      if (!left) {
        replace(list, h('li', { class: 'load-error', 'data-testid': 'task-list-error' }, 'The tasks could not be loaded.'));
        messages.error(error);
      }
    } finally {
      loading = false;
      list.removeAttribute('aria-busy');
      schedule();
    }
  }

  function schedule(): void {
    window.clearTimeout(timer);
    if (left || !autoRefresh.checked) return;
    timer = window.setTimeout(() => {
      if (document.hidden) schedule();
      else void refresh();
    }, REFRESH_MS);
  }

  function card(task: TaskView, now: number): HTMLLIElement {
    const titleId = `task-${task.id}-title`;
    const due = dueOf(task);
    const isOverdue = due ? timeLeft(due.at, now).overdue : false;
    const sla = task.record?.sla.status ?? null;
    const me = user.username;
    const candidate = task.candidateUsers.includes(me) || task.candidateGroups.some((g) => user.groups.includes(g));
    const title = task.name ?? task.elementId;

    const act = (action: () => Promise<string>) => async (event: Event) => {
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
    // Unclaim can only succeed for the assignee; claim is offered on unassigned tasks (the server
    // says why when the caller is no candidate or is excluded by segregation of duties).
    const claim = mayWork && task.assignee === null
      ? h('button', { type: 'button', 'data-testid': 'claim', title: candidate ? undefined : 'You are not a candidate of this task', onclick: act(async () => {
          const t = await work.claim(task.id);
          return `Claimed "${t.name ?? t.elementId}" for ${t.assignee}.`;
        }) }, 'Claim')
      : null;
    const unclaim = mayWork && task.assignee === me
      ? h('button', { type: 'button', 'data-testid': 'unclaim', onclick: act(async () => {
          await work.unclaim(task.id);
          return `Unclaimed "${title}".`;
        }) }, 'Unclaim')
      : null;

    return h(
      'li',
      {
        class: `task-card${isOverdue || sla === 'breached' ? ' overdue' : sla === 'at risk' ? ' at-risk' : ''}`,
        'aria-labelledby': titleId,
        'data-testid': 'task',
        'data-task-id': task.id,
        'data-instance-id': task.instanceId,
        'data-record-number': task.record?.number,
      },
      h('h2', { id: titleId }, h('a', { href: `#/tasks/${task.id}`, 'data-testid': 'task-open' }, title)),
      task.record
        ? h('div', { class: 'record', 'data-testid': 'task-record' }, h('span', { class: 'number' }, task.record.number), ' · ', task.record.title ?? 'untitled', ` · ${task.record.state}`)
        : h('div', { class: 'record', 'data-testid': 'task-record' }, task.definitionKey),
      h('div', { class: 'meta' }, priorityBadge(task), slaBadge(sla), isOverdue ? h('span', { class: 'badge sla-breached', 'data-testid': 'overdue' }, 'Overdue') : null),
      h('div', { class: 'meta' }, dueBadge(due, now)),
      h('div', { class: 'people' }, task.assignee ? `Assigned to ${task.assignee === me ? `you (${me})` : task.assignee}` : `Unassigned · ${task.candidateGroups.join(', ') || task.candidateUsers.join(', ') || 'no candidates'}`),
      claim || unclaim ? h('div', { class: 'actions' }, claim, unclaim) : null,
    );
  }

  fill(filter);
  renderViews();
  void refresh(true);
  return {
    el,
    destroy() {
      left = true;
      window.clearTimeout(timer);
    },
  };
}

/** The filter last used in this tab, else every task the user may see. */
function loadFilter(groups: string[]): TaskFilter {
  try {
    const saved = asFilter(JSON.parse(sessionStorage.getItem(FILTER_KEY) ?? 'null'), groups[0] ?? '');
    if (saved) return saved;
  } catch {
    // a damaged entry falls back to the default
  }
  return { kind: 'mine', group: groups[0] ?? '', q: '', overdue: false, sort: 'priority' };
}
