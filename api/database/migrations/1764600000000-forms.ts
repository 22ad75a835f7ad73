import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Forms: the form-js schemas deployed with a definition version (one row per form id and
 * version), and which user task or start event shows which form (camunda:formRef, or a
 * camunda:formKey naming a deployed form).
 */
export class Forms1764600000000 implements MigrationInterface {
  name = 'Forms1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE form_definition (
        id            uuid PRIMARY KEY,
        definition_id uuid NOT NULL CONSTRAINT fk_form_definition_definition REFERENCES process_definition (id),
        form_id       text NOT NULL,
        schema        jsonb NOT NULL,
        sha256        text NOT NULL,
        created_at    timestamptz NOT NULL,
        CONSTRAINT uq_form_definition UNIQUE (definition_id, form_id)
      )`);
    await q.query(`CREATE INDEX ix_form_definition_form_id ON form_definition (form_id)`);
    await q.query(`
      CREATE TABLE form_binding (
        definition_id uuid NOT NULL CONSTRAINT fk_form_binding_definition REFERENCES process_definition (id),
        element_id    text NOT NULL,
        form_id       text NOT NULL,
        attribute     text NOT NULL,
        PRIMARY KEY (definition_id, element_id),
        CONSTRAINT fk_form_binding_form FOREIGN KEY (definition_id, form_id) REFERENCES form_definition (definition_id, form_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE form_binding`);
    await q.query(`DROP TABLE form_definition`);
  }
}
