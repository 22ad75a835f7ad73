import { randomUUID } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import type { FormBinding, FormStore, GroupOption, StoredForm } from '../../engine';

/** Forms of definition versions (tables form_definition, form_binding), inside a command's transaction. */
export class TypeormFormStore implements FormStore {
  constructor(private readonly q: QueryRunner) {}

  async insertForms(definitionId: string, forms: StoredForm[], bindings: FormBinding[], createdAt: string): Promise<void> {
    if (forms.length) {
      await this.q.query(
        `INSERT INTO form_definition (id, definition_id, form_id, schema, sha256, created_at)
         SELECT f.id, $1, f.form_id, f.schema, f.sha256, $2
           FROM jsonb_to_recordset($3::jsonb) AS f(id uuid, form_id text, schema jsonb, sha256 text)`,
        [definitionId, createdAt, JSON.stringify(forms.map((f) => ({ id: randomUUID(), form_id: f.formId, schema: f.schema, sha256: f.sha256 })))],
      );
    }
    if (bindings.length) {
      await this.q.query(
        `INSERT INTO form_binding (definition_id, element_id, form_id, attribute)
         SELECT $1, b.element_id, b.form_id, b.attribute FROM jsonb_to_recordset($2::jsonb) AS b(element_id text, form_id text, attribute text)`,
        [definitionId, JSON.stringify(bindings.map((b) => ({ element_id: b.elementId, form_id: b.formId, attribute: b.attribute })))],
      );
    }
  }

  async formForTask(definitionId: string, elementId: string, formKey: string | null): Promise<StoredForm | null> {
    const rows = await this.q.query(`SELECT ${FORM_FOR_TASK_SQL}`, [definitionId, elementId, formKey]);
    return rows[0] ? { formId: rows[0].form_id, schema: rows[0].schema, sha256: rows[0].sha256 } : null;
  }

  groupMembers(groups: readonly string[]): Promise<Record<string, GroupOption[]>> {
    return queryGroupMembers((sql, params) => this.q.query(sql, params), groups);
  }
}

/** Members of groups as form options (`valuesKey: "group:<name>"`): enabled users, by username; keyed by the name asked for. */
export async function queryGroupMembers(query: (sql: string, params: unknown[]) => Promise<unknown[]>, groups: readonly string[]): Promise<Record<string, GroupOption[]>> {
  if (!groups.length) return {};
  const rows = (await query(
    `SELECT r.name AS requested, u.username, u.display_name
       FROM unnest($1::text[]) AS r(name)
       JOIN app_group g ON lower(g.name) = lower(r.name)
       LEFT JOIN group_member m ON m.group_id = g.id
       LEFT JOIN app_user u ON u.id = m.user_id AND NOT u.disabled
      ORDER BY r.name, u.username`,
    [[...groups]],
  )) as { requested: string; username: string | null; display_name: string | null }[];
  const out: Record<string, GroupOption[]> = {};
  for (const row of rows) {
    const list = (out[row.requested] ??= []);
    if (row.username) list.push({ label: row.display_name ? `${row.display_name} (${row.username})` : row.username, value: row.username });
  }
  return out;
}

/** $1 definition id, $2 element id, $3 resolved form key: the element's bound form, else the form named by the key. */
export const FORM_FOR_TASK_SQL = `f.form_id, f.schema, f.sha256 FROM form_definition f
  WHERE f.definition_id = $1
    AND f.form_id = COALESCE((SELECT b.form_id FROM form_binding b WHERE b.definition_id = $1 AND b.element_id = $2), $3::text)`;

/** A select-list expression on `user_task` (unaliased): the task's form id, or NULL. */
export const TASK_FORM_ID_COLUMN = `(SELECT f.form_id FROM process_instance pi JOIN form_definition f ON f.definition_id = pi.definition_id
    WHERE pi.id = user_task.instance_id
      AND f.form_id = COALESCE((SELECT b.form_id FROM form_binding b WHERE b.definition_id = pi.definition_id AND b.element_id = user_task.element_id), user_task.form_key)
  ) AS form_id`;
