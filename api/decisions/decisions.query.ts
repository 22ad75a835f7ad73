import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, type DecisionRecord } from '../../engine';
import { Database } from '../database/database';
import { DECISION_COLUMNS, toDecisionRecord } from '../engine-host/typeorm-decision-store';

/** Read side of decision definitions. */
@Injectable()
export class DecisionsQuery {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** The latest version of every decision key (or of one key). */
  async latest(key?: string): Promise<DecisionRecord[]> {
    const rows = await this.db.dataSource.query(
      `SELECT DISTINCT ON (key) ${DECISION_COLUMNS} FROM decision_definition WHERE ($1::text IS NULL OR key = $1) ORDER BY key, version DESC`,
      [key ?? null],
    );
    return rows.map(toDecisionRecord);
  }

  /** Every version of a key, newest first; 404 when none is deployed. */
  async versions(key: string): Promise<DecisionRecord[]> {
    const rows = await this.db.dataSource.query(`SELECT ${DECISION_COLUMNS} FROM decision_definition WHERE key = $1 ORDER BY version DESC`, [key]);
    if (!rows.length) throw notFound(key);
    return rows.map(toDecisionRecord);
  }

  /** The DMN document of the latest (or the given) version. */
  async xml(key: string, version?: number): Promise<string> {
    const rows = await this.db.dataSource.query(
      `SELECT xml FROM decision_definition WHERE key = $1 AND ($2::int IS NULL OR version = $2) ORDER BY version DESC LIMIT 1`,
      [key, version ?? null],
    );
    if (!rows[0]) throw notFound(key, version);
    return rows[0].xml;
  }
}

function notFound(key: string, version?: number): EngineError {
  return new EngineError(EngineErrorCode.DefinitionNotFound, `no decision with key "${key}"${version ? ` and version ${version}` : ''} is deployed`);
}
