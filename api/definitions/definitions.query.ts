import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, type DefinitionRecord } from '../../engine';
import { transaction } from '../auth/sql';
import { Database } from '../database/database';
import { DEFINITION_COLUMNS, toDefinitionRecord } from '../engine-host/rows';

/** The process owners of a definition key. */
export interface DefinitionOwners {
  key: string;
  /** Usernames, sorted; `processOwner` false means the user lacks the role, so owning has no effect. */
  owners: { username: string; displayName: string | null; processOwner: boolean }[];
}

/** Read side of process definitions. */
@Injectable()
export class DefinitionsQuery {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** The latest version of every key (or of one key). */
  async latest(key?: string): Promise<DefinitionRecord[]> {
    const rows = await this.db.dataSource.query(
      `SELECT DISTINCT ON (key) ${DEFINITION_COLUMNS} FROM process_definition
        WHERE ($1::text IS NULL OR key = $1) ORDER BY key, version DESC`,
      [key ?? null],
    );
    return rows.map(toDefinitionRecord);
  }

  async versions(key: string): Promise<DefinitionRecord[]> {
    const rows = await this.db.dataSource.query(`SELECT ${DEFINITION_COLUMNS} FROM process_definition WHERE key = $1 ORDER BY version DESC`, [key]);
    if (!rows.length) throw new EngineError(EngineErrorCode.DefinitionNotFound, `no process definition with key "${key}"`);
    return rows.map(toDefinitionRecord);
  }

  async get(id: string): Promise<DefinitionRecord> {
    const rows = await this.db.dataSource.query(`SELECT ${DEFINITION_COLUMNS} FROM process_definition WHERE id = $1`, [id]);
    if (!rows[0]) throw new EngineError(EngineErrorCode.DefinitionNotFound, `no process definition with id "${id}"`);
    return toDefinitionRecord(rows[0]);
  }

  async xml(id: string): Promise<string> {
    const rows = await this.db.dataSource.query(`SELECT xml FROM process_definition WHERE id = $1`, [id]);
    if (!rows[0]) throw new EngineError(EngineErrorCode.DefinitionNotFound, `no process definition with id "${id}"`);
    return rows[0].xml;
  }

  /** The owners of a key; 404 when no version of the key is deployed. */
  async owners(key: string): Promise<DefinitionOwners> {
    await this.assertKey(key);
    return { key, owners: await this.ownerRows(this.db.dataSource, key) };
  }

  /** Replaces the owners of a key with these users (every one must exist: 404 otherwise). */
  async setOwners(key: string, usernames: string[]): Promise<DefinitionOwners> {
    await this.assertKey(key);
    return transaction(this.db.dataSource, async (sql) => {
      const wanted = [...new Set(usernames.map((u) => u.toLowerCase()))];
      const users = await sql.rows<{ id: string; username: string }>(`SELECT id, username FROM app_user WHERE lower(username) = ANY ($1::text[])`, [wanted]);
      const missing = wanted.filter((u) => !users.some((x) => x.username.toLowerCase() === u));
      if (missing.length) throw new EngineError(EngineErrorCode.UserNotFound, `no user named ${missing.map((m) => `"${m}"`).join(', ')}`);
      await sql.rows(`SELECT pg_advisory_xact_lock(hashtext('definition-owners:' || $1))`, [key]);
      await sql.rows(`DELETE FROM definition_owner WHERE definition_key = $1 AND NOT (user_id = ANY ($2::uuid[]))`, [key, users.map((u) => u.id)]);
      await sql.rows(
        `INSERT INTO definition_owner (definition_key, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
        [key, users.map((u) => u.id)],
      );
      return { key, owners: await this.ownerRows({ query: (text: string, params: unknown[]) => sql.rows(text, params) }, key) };
    });
  }

  private async ownerRows(db: { query(text: string, params: unknown[]): Promise<Record<string, unknown>[]> }, key: string): Promise<DefinitionOwners['owners']> {
    const rows = await db.query(
      `SELECT u.username, u.display_name, 'process-owner' = ANY (u.roles) AS process_owner
         FROM definition_owner o JOIN app_user u ON u.id = o.user_id WHERE o.definition_key = $1 ORDER BY lower(u.username)`,
      [key],
    );
    return rows.map((r) => ({ username: String(r.username), displayName: (r.display_name as string | null) ?? null, processOwner: r.process_owner === true }));
  }

  private async assertKey(key: string): Promise<void> {
    const rows = await this.db.dataSource.query(`SELECT 1 FROM process_definition WHERE key = $1 LIMIT 1`, [key]);
    if (!rows.length) throw new EngineError(EngineErrorCode.DefinitionNotFound, `no process definition with key "${key}"`);
  }
}
