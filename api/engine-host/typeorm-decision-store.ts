import type { QueryRunner } from 'typeorm';
import type { DecisionRecord, DecisionStore, NewDecision } from '../../engine';

export const DECISION_COLUMNS = 'id, key, version, name, hit_policy, sha256, deployed_by, deployed_at';

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw pg rows

export function toDecisionRecord(r: Row): DecisionRecord {
  return {
    id: r.id,
    key: r.key,
    version: r.version,
    name: r.name,
    hitPolicy: r.hit_policy,
    sha256: r.sha256,
    deployedBy: r.deployed_by,
    deployedAt: new Date(r.deployed_at).toISOString(),
  };
}

/** Decision definitions on one transaction's QueryRunner (the command store's `decisions`). */
export class TypeormDecisionStore implements DecisionStore {
  /** Latest versions by key read ahead in this transaction (TypeormCommandStore.prefetchStart). */
  readonly prefetched = new Map<string, DecisionRecord | null>();

  constructor(private readonly q: QueryRunner) {}

  async lockDecisionKey(key: string): Promise<void> {
    await this.q.query(`SELECT pg_advisory_xact_lock(hashtext('decision_definition:' || $1))`, [key]);
  }

  async latestDecision(key: string): Promise<DecisionRecord | null> {
    if (this.prefetched.has(key)) return this.prefetched.get(key)!;
    const rows = await this.q.query(`SELECT ${DECISION_COLUMNS} FROM decision_definition WHERE key = $1 ORDER BY version DESC LIMIT 1`, [key]);
    return rows[0] ? toDecisionRecord(rows[0]) : null;
  }

  async decisionVersion(key: string, version: number): Promise<DecisionRecord | null> {
    const rows = await this.q.query(`SELECT ${DECISION_COLUMNS} FROM decision_definition WHERE key = $1 AND version = $2`, [key, version]);
    return rows[0] ? toDecisionRecord(rows[0]) : null;
  }

  async insertDecision(d: NewDecision): Promise<DecisionRecord> {
    this.prefetched.delete(d.key);
    const rows = await this.q.query(
      `INSERT INTO decision_definition (id, key, version, name, hit_policy, xml, sha256, deployed_by, deployed_at)
       VALUES ($1, $2, (SELECT COALESCE(MAX(version), 0) + 1 FROM decision_definition WHERE key = $2), $3, $4, $5, $6, $7, $8)
       RETURNING ${DECISION_COLUMNS}`,
      [d.id, d.key, d.name, d.hitPolicy, d.xml, d.sha256, d.deployedBy, d.deployedAt],
    );
    return toDecisionRecord(rows[0]);
  }

  async decisionXml(id: string): Promise<string | null> {
    const rows = await this.q.query(`SELECT xml FROM decision_definition WHERE id = $1`, [id]);
    return rows[0]?.xml ?? null;
  }
}
