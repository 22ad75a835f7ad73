import type { FieldSpec } from './schema';

/**
 * Options from the server's groups: a select, radio, checklist or taglist whose form-js
 * `valuesKey` is `group:<name>` offers the members of that group (`{label: display name,
 * value: username}`). `GET /api/tasks/:id/form` puts that list into the form's `data` under the
 * key, as form-js reads it (`data["group:cab"]`), and completing the task (or starting with such
 * a start form) accepts only members, read in the command's transaction. An unknown or empty
 * group offers nothing.
 */
export const GROUP_OPTIONS_PREFIX = 'group:';

/** A group option list: what form-js shows and what the server accepts. */
export interface GroupOption {
  label: string;
  value: string;
}

/** The group a `valuesKey` names, or null for a plain variable. */
export function groupOfOptionsKey(key: string | undefined): string | null {
  if (!key?.startsWith(GROUP_OPTIONS_PREFIX)) return null;
  const name = key.slice(GROUP_OPTIONS_PREFIX.length).trim();
  return name || null;
}

/** The groups the fields of a form (dynamic list items included) take their options from. */
export function groupOptionGroups(fields: readonly FieldSpec[]): string[] {
  const groups = new Set<string>();
  const walk = (list: readonly FieldSpec[]) => {
    for (const f of list) {
      const group = groupOfOptionsKey(f.optionsKey);
      if (group) groups.add(group);
      if (f.items) walk(f.items);
    }
  };
  walk(fields);
  return [...groups].sort();
}

/** The form data / validation scope entries for the groups' member lists (a missing group: no options). */
export function groupOptionsScope(members: Readonly<Record<string, GroupOption[]>>, groups: readonly string[] = Object.keys(members)): Record<string, GroupOption[]> {
  const scope: Record<string, GroupOption[]> = {};
  for (const group of groups) scope[`${GROUP_OPTIONS_PREFIX}${group}`] = members[group] ?? [];
  return scope;
}
