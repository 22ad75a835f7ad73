/** Saved task-list views, per user, in this browser (localStorage): a name and the filter it applies. */
export type TaskKind = 'mine' | 'assignee' | 'groups' | 'candidateGroup';
export const KINDS: TaskKind[] = ['mine', 'assignee', 'groups', 'candidateGroup'];
export const SORTS = ['priority', 'due', 'record', 'created'] as const;
export type Sort = (typeof SORTS)[number];

export interface TaskFilter {
  kind: TaskKind;
  group: string;
  q: string;
  overdue: boolean;
  sort: Sort;
}

export interface SavedView {
  name: string;
  filter: TaskFilter;
}

const MAX_VIEWS = 30;
const key = (username: string) => `itsm.taskViews.${username}`;

/** A filter read from storage, with every field checked (storage is not trusted). */
export function asFilter(value: unknown, fallbackGroup = ''): TaskFilter | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<Record<keyof TaskFilter, unknown>>;
  if (!KINDS.includes(v.kind as TaskKind)) return null;
  return {
    kind: v.kind as TaskKind,
    group: typeof v.group === 'string' ? v.group.slice(0, 128) : fallbackGroup,
    q: typeof v.q === 'string' ? v.q.slice(0, 100) : '',
    overdue: v.overdue === true,
    sort: SORTS.includes(v.sort as Sort) ? (v.sort as Sort) : 'priority',
  };
}

export function loadViews(username: string): SavedView[] {
  try {
    const raw = JSON.parse(localStorage.getItem(key(username)) ?? '[]') as unknown;
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((entry: { name?: unknown; filter?: unknown }) => {
      const filter = asFilter(entry?.filter);
      return typeof entry?.name === 'string' && entry.name.trim() && filter ? [{ name: entry.name.trim().slice(0, 60), filter }] : [];
    });
  } catch {
    return []; // a damaged entry is as good as none
  }
}

/** Saves (or replaces, by name) a view; answers the new list. */
export function saveView(username: string, view: SavedView): SavedView[] {
  const views = loadViews(username).filter((v) => v.name !== view.name);
  views.push(view);
  views.sort((a, b) => a.name.localeCompare(b.name));
  const kept = views.slice(0, MAX_VIEWS);
  localStorage.setItem(key(username), JSON.stringify(kept));
  return kept;
}

export function deleteView(username: string, name: string): SavedView[] {
  const views = loadViews(username).filter((v) => v.name !== name);
  localStorage.setItem(key(username), JSON.stringify(views));
  return views;
}
