import type { DataSource, QueryRunner } from 'typeorm';
import type { ArmedTimer, ClaimedTimerJob, DefinitionState, IncidentRecord, TimerClaimer, TimerJobRecord, TimerPartition, TimerStore } from '../../engine';
import { INCIDENT_COLUMNS, TIMER_JOB_COLUMNS, toIncidentRecord, toTimerJobRecord } from './rows';

const RECORDSET = `jsonb_to_recordset($2::jsonb) AS w(id uuid, execution_id text, element_id text, element_type text, spec text, remaining int, due_at timestamptz)`;
const prefixed = (alias: string) => TIMER_JOB_COLUMNS.replace(/(^|, )([a-z_]+)/g, `$1${alias}.$2`);

/** Timer jobs and incidents on one transaction's QueryRunner (part of the command store). */
export class TypeormTimerStore implements TimerStore {
  constructor(protected readonly q: QueryRunner) {}

  async syncInstanceTimers(
    instance: { id: string; definitionId: string; definitionKey: string },
    armed: ArmedTimer[],
    createdAt: string,
  ): Promise<{ added: TimerJobRecord[]; removed: TimerJobRecord[] }> {
    // One round trip: delete rows of timers no longer armed, insert new ones (existing rows keep their due time).
    const rows = await this.q.query(
      `WITH wanted AS (SELECT * FROM ${RECORDSET}),
            removed AS (
              DELETE FROM timer_job t WHERE t.instance_id = $1 AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.execution_id = t.execution_id)
              RETURNING ${prefixed('t')}),
            added AS (
              INSERT INTO timer_job (id, kind, instance_id, definition_id, definition_key, element_id, element_type, execution_id, spec, remaining, due_at, run_at, created_at)
              SELECT w.id, 'instance', $1, $3, $4, w.element_id, w.element_type, w.execution_id, w.spec, w.remaining, w.due_at, w.due_at, $5 FROM wanted w
              ON CONFLICT (instance_id, execution_id) WHERE instance_id IS NOT NULL DO NOTHING
              RETURNING ${TIMER_JOB_COLUMNS})
       SELECT 'removed' AS change, * FROM removed UNION ALL SELECT 'added' AS change, * FROM added`,
      [instance.id, JSON.stringify(armed.map(toArmedRow)), instance.definitionId, instance.definitionKey, createdAt],
    );
    return {
      added: rows.filter((r: { change: string }) => r.change === 'added').map(toTimerJobRecord),
      removed: rows.filter((r: { change: string }) => r.change === 'removed').map(toTimerJobRecord),
    };
  }

  async deleteInstanceTimers(instanceId: string): Promise<TimerJobRecord[]> {
    const { records } = await this.q.query(`DELETE FROM timer_job WHERE instance_id = $1 RETURNING ${TIMER_JOB_COLUMNS}`, [instanceId], true);
    return records.map(toTimerJobRecord);
  }

  async lockTimerJob(id: string): Promise<TimerJobRecord | null> {
    const rows = await this.q.query(`SELECT ${TIMER_JOB_COLUMNS} FROM timer_job WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ? toTimerJobRecord(rows[0]) : null;
  }

  async takeTimerJob(id: string, owner: string): Promise<TimerJobRecord | null> {
    const { records } = await this.q.query(
      `DELETE FROM timer_job WHERE id = $1 AND locked_by = $2 AND status = 'pending' RETURNING ${TIMER_JOB_COLUMNS}`,
      [id, owner],
      true,
    );
    return records[0] ? toTimerJobRecord(records[0]) : null;
  }

  async deleteTimerJob(id: string): Promise<void> {
    await this.q.query(`DELETE FROM timer_job WHERE id = $1`, [id]);
  }

  async rescheduleTimerJob(id: string, dueAt: string, remaining: number): Promise<void> {
    await this.q.query(
      `UPDATE timer_job SET due_at = $2, run_at = $2, remaining = $3, attempts = 0, last_error = NULL, locked_by = NULL, lock_expires_at = NULL, status = 'pending'
        WHERE id = $1`,
      [id, dueAt, remaining],
    );
  }

  async replaceStartTimers(definitionKey: string, jobs: TimerJobRecord[]): Promise<{ removed: TimerJobRecord[]; added: TimerJobRecord[] }> {
    const removed = await this.q.query(`DELETE FROM timer_job WHERE kind = 'start' AND definition_key = $1 RETURNING ${TIMER_JOB_COLUMNS}`, [definitionKey], true);
    if (jobs.length) {
      await this.q.query(
        `INSERT INTO timer_job (id, kind, definition_id, definition_key, element_id, element_type, spec, remaining, due_at, run_at, created_at)
         SELECT j.id, 'start', j.definition_id, j.definition_key, j.element_id, j.element_type, j.spec, j.remaining, j.due_at, j.due_at, j.created_at
           FROM jsonb_to_recordset($1::jsonb) AS j(id uuid, definition_id uuid, definition_key text, element_id text, element_type text, spec text,
                remaining int, due_at timestamptz, created_at timestamptz)`,
        [
          JSON.stringify(
            jobs.map((j) => ({
              id: j.id, definition_id: j.definitionId, definition_key: j.definitionKey, element_id: j.elementId, element_type: j.elementType,
              spec: j.spec, remaining: j.remaining, due_at: j.dueAt, created_at: j.createdAt,
            })),
          ),
        ],
      );
    }
    return { removed: removed.records.map(toTimerJobRecord), added: jobs };
  }

  async recordTimerFailure(
    id: string,
    owner: string,
    patch: { attempts: number; runAt: string; status: 'pending' | 'failed'; lastError: string },
  ): Promise<boolean> {
    const { affected } = await this.q.query(
      `UPDATE timer_job SET attempts = $3, run_at = $4, status = $5, last_error = $6, locked_by = NULL, lock_expires_at = NULL
        WHERE id = $1 AND locked_by = $2`,
      [id, owner, patch.attempts, patch.runAt, patch.status, patch.lastError.slice(0, 4000)],
      true,
    );
    return affected === 1;
  }

  async instanceTimerJobs(instanceId: string): Promise<TimerJobRecord[]> {
    const rows = await this.q.query(`SELECT ${TIMER_JOB_COLUMNS} FROM timer_job WHERE instance_id = $1 ORDER BY due_at FOR UPDATE`, [instanceId]);
    return rows.map(toTimerJobRecord);
  }

  async setTimerDue(id: string, dueAt: string | null): Promise<void> {
    // 'infinity' parks the job: no claim ever finds it due.
    await this.q.query(`UPDATE timer_job SET due_at = COALESCE($2::timestamptz, 'infinity'), run_at = COALESCE($2::timestamptz, 'infinity') WHERE id = $1`, [id, dueAt]);
  }

  async retryTimerJob(id: string, runAt: string): Promise<void> {
    await this.q.query(
      `UPDATE timer_job SET status = 'pending', attempts = 0, run_at = $2, locked_by = NULL, lock_expires_at = NULL WHERE id = $1`,
      [id, runAt],
    );
  }

  async insertIncident(i: IncidentRecord): Promise<void> {
    await this.q.query(
      `INSERT INTO incident (id, type, status, instance_id, definition_id, job_id, element_id, message, attempts, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [i.id, i.type, i.status, i.instanceId, i.definitionId, i.jobId, i.elementId, i.message.slice(0, 4000), i.attempts, i.createdAt],
    );
  }

  async lockIncident(id: string): Promise<IncidentRecord | null> {
    const rows = await this.q.query(`SELECT ${INCIDENT_COLUMNS} FROM incident WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ? toIncidentRecord(rows[0]) : null;
  }

  async resolveIncident(id: string, at: string, by: string | null): Promise<void> {
    await this.q.query(`UPDATE incident SET status = 'resolved', resolved_at = $2, resolved_by = $3 WHERE id = $1`, [id, at, by]);
  }

  async setDefinitionState(id: string, state: DefinitionState): Promise<void> {
    await this.q.query(`UPDATE process_definition SET state = $2 WHERE id = $1`, [id, state]);
  }
}

/** Claims due jobs in its own short transaction (one statement). */
export class TypeormTimerClaimer implements TimerClaimer {
  constructor(private readonly dataSource: DataSource) {}

  async claimDue(owner: string, limit: number, lockMs: number, offsetMs: number, partition?: TimerPartition): Promise<ClaimedTimerJob[]> {
    // Due is compared with the DATABASE clock (one time source for every server process), shifted
    // only by a test clock's offset (0 in production). Lock expiry is real time: it is about liveness.
    // With a partition, another process's instance jobs only once they are graceMs overdue (the
    // instance's slot is the last byte of its id, engine/commands/instance-ids.ts).
    const runner = this.dataSource.createQueryRunner();
    try {
      const { records } = await runner.query(
      // Fired in due order: when several timers of one instance are overdue together, the earlier
      // one (a 75 % warning) must run before the later one (the breach that interrupts the task).
      `WITH claimed AS (
         UPDATE timer_job AS t SET locked_by = $1, lock_expires_at = clock_timestamp() + make_interval(secs => $3::double precision / 1000)
          WHERE t.id IN (
            SELECT id FROM timer_job
             WHERE status = 'pending'
               AND run_at <= clock_timestamp() + make_interval(secs => $4::double precision / 1000)
               AND (locked_by IS NULL OR lock_expires_at < clock_timestamp())
               AND ($5::int IS NULL OR instance_id IS NULL OR get_byte(uuid_send(instance_id), 15) % $6::int = $5::int
                    OR run_at <= clock_timestamp() + make_interval(secs => ($4::double precision - $7::double precision) / 1000))
             ORDER BY run_at
             LIMIT $2
             FOR UPDATE SKIP LOCKED)
         RETURNING t.id, t.instance_id, t.run_at,
                   extract(epoch FROM clock_timestamp() + make_interval(secs => $4::double precision / 1000) - t.due_at)::float8 AS lag)
       SELECT id, instance_id AS "instanceId", lag AS "lagSeconds" FROM claimed ORDER BY run_at, id`,
      [owner, limit, lockMs, offsetMs, partition?.index ?? null, partition?.workers ?? 1, partition?.graceMs ?? 0],
      true,
      );
      return records;
    } finally {
      await runner.release();
    }
  }
}

function toArmedRow(t: ArmedTimer) {
  return { id: t.id, execution_id: t.executionId, element_id: t.elementId, element_type: t.elementType, spec: t.spec, remaining: t.remaining, due_at: t.dueAt };
}
