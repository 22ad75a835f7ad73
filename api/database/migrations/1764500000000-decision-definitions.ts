import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DMN decision tables, deployed and versioned per decision id (`key`) like process definitions.
 * `xml` is the whole DMN document the version was deployed from.
 */
export class DecisionDefinitions1764500000000 implements MigrationInterface {
  name = 'DecisionDefinitions1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE decision_definition (
        id          uuid        PRIMARY KEY,
        key         text        NOT NULL,
        version     integer     NOT NULL,
        name        text,
        hit_policy  text        NOT NULL,
        xml         text        NOT NULL,
        sha256      text        NOT NULL,
        deployed_by text,
        deployed_at timestamptz NOT NULL,
        CONSTRAINT uq_decision_definition_key_version UNIQUE (key, version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE decision_definition`);
  }
}
