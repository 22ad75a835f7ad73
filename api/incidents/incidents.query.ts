import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, type IncidentRecord, type TimerJobRecord } from '../../engine';
import { AccessDenied } from '../auth/access-denied';
import { AccessService, SqlParams } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import type { Page } from '../common/validation';
import { Database } from '../database/database';
import { INCIDENT_COLUMNS, TIMER_JOB_COLUMNS, toIncidentRecord, toTimerJobRecord } from '../engine-host/rows';

/** The definition key of an incident row. */
const INCIDENT_KEY = '(SELECT d.key FROM process_definition d WHERE d.id = incident.definition_id)';

/** Read side of incidents and timer jobs. */
@Injectable()
export class IncidentsQuery {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  /** The incidents `viewer` may see: all for admins and auditors, those of owned keys for process owners. */
  async list(f: { status?: string; instanceId?: string; page: number; size: number }, viewer: AuthUser): Promise<Page<IncidentRecord>> {
    const p = new SqlParams([f.status ?? null, f.instanceId ?? null]);
    const visible = this.access.visibility(viewer, p).byKey(INCIDENT_KEY);
    const where = `($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR instance_id = $2) AND ${visible}`;
    const params = [...p.values];
    const limit = `LIMIT ${p.add(f.size, 'int')} OFFSET ${p.add((f.page - 1) * f.size, 'int')}`;
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(`SELECT ${INCIDENT_COLUMNS} FROM incident WHERE ${where} ORDER BY created_at DESC, id ${limit}`, p.values),
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM incident WHERE ${where}`, params),
    ]);
    return { items: rows.map(toIncidentRecord), page: f.page, size: f.size, total: count[0].total };
  }

  /** One incident; 404 when unknown or not visible to `viewer`. */
  async get(id: string, viewer: AuthUser): Promise<IncidentRecord> {
    const p = new SqlParams([id]);
    const visible = this.access.visibility(viewer, p).byKey(INCIDENT_KEY);
    const rows = await this.db.dataSource.query(`SELECT ${INCIDENT_COLUMNS}, ${visible} AS visible, ${INCIDENT_KEY} AS definition_key FROM incident WHERE id = $1`, p.values);
    const notFound = `no incident with id "${id}"`;
    if (!rows[0]) throw new EngineError(EngineErrorCode.IncidentNotFound, notFound);
    if (rows[0].visible !== true) throw new AccessDenied(EngineErrorCode.IncidentNotFound, notFound, `incident ${id} of ${rows[0].definition_key} is not visible: not a process owner of the key`);
    return toIncidentRecord(rows[0]);
  }

  /** The timer jobs `viewer` may see: all for admins and auditors, those of owned keys for process owners. */
  async timers(f: { instanceId?: string; definitionKey?: string; kind?: string; page: number; size: number }, viewer: AuthUser): Promise<Page<TimerJobRecord>> {
    const p = new SqlParams([f.instanceId ?? null, f.definitionKey ?? null, f.kind ?? null]);
    const visible = this.access.visibility(viewer, p).byKey('timer_job.definition_key');
    const where = `($1::uuid IS NULL OR instance_id = $1) AND ($2::text IS NULL OR definition_key = $2) AND ($3::text IS NULL OR kind = $3) AND ${visible}`;
    const params = [...p.values];
    const limit = `LIMIT ${p.add(f.size, 'int')} OFFSET ${p.add((f.page - 1) * f.size, 'int')}`;
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(`SELECT ${TIMER_JOB_COLUMNS} FROM timer_job WHERE ${where} ORDER BY due_at, id ${limit}`, p.values),
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM timer_job WHERE ${where}`, params),
    ]);
    return { items: rows.map(toTimerJobRecord), page: f.page, size: f.size, total: count[0].total };
  }
}
