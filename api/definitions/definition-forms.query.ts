import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode } from '../../engine';
import { Database } from '../database/database';

export interface DefinitionForm {
  formId: string;
  sha256: string;
  /** The user tasks and start events bound to it (camunda:formRef, or a formKey naming it). */
  elementIds: string[];
  schema: Record<string, unknown>;
}

/** The forms deployed with a definition version (GET /api/definitions/:id/forms). */
@Injectable()
export class DefinitionFormsQuery {
  constructor(@Inject(Database) private readonly db: Database) {}

  async list(definitionId: string): Promise<DefinitionForm[]> {
    const [definition] = await this.db.dataSource.query(`SELECT id FROM process_definition WHERE id = $1`, [definitionId]);
    if (!definition) throw new EngineError(EngineErrorCode.DefinitionNotFound, `no process definition with id "${definitionId}"`);
    const rows = await this.db.dataSource.query(
      `SELECT f.form_id, f.sha256, f.schema,
              COALESCE((SELECT array_agg(b.element_id ORDER BY b.element_id) FROM form_binding b WHERE b.definition_id = f.definition_id AND b.form_id = f.form_id), '{}') AS element_ids
         FROM form_definition f WHERE f.definition_id = $1 ORDER BY f.form_id`,
      [definitionId],
    );
    return rows.map((r: Record<string, unknown>) => ({ formId: r.form_id, sha256: r.sha256, elementIds: r.element_ids, schema: r.schema }) as DefinitionForm);
  }
}
