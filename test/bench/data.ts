/**
 * `npm run bench:data`: builds a generated database shaped like a busy ITSM installation, for the
 * read-side benchmark (reads.ts). Everything is generated in SQL (generate_series), never through
 * the engine, on the PostgreSQL server of DATABASE_URL, in a database it (re)creates:
 * BENCH_DATA_DB (default itsm_bench_1m), schema from the project's migrations.
 *
 * At BENCH_DATA_SCALE=1 (the default): 1,000,000 finished instances and 100,000 running ones
 * (6 KB snapshots), 200,000 open and 2,100,000 completed tasks offered to 10 groups, about
 * 10,000,000 history rows, one record per instance (incidents, requests, changes, problems,
 * nonconformities over two years, with SLA columns and fields), 1,000 staff members in groups,
 * 5,000 requesters, process owners of each key. Counts scale linearly (0.001 builds in seconds).
 *
 * The bench users (password BENCH_PASSWORD below) are exported as BENCH_USERS for reads.ts.
 */
import { Client } from 'pg';
import { checkExpression, compileDefinition } from '../../engine';
import { hashPassword } from '../../api/auth/passwords';
import { Database } from '../../api/database/database';

export const BENCH_PASSWORD = 'bench-reads-password-1';

/** The users reads.ts signs in as, one per role. */
export const BENCH_USERS = {
  admin: 'bench-admin',
  /** Staff member of the group service-desk (about a tenth of all tasks). */
  staff: 'staff-00001',
  /** Process owner of the key "change". */
  owner: 'owner-change',
  auditor: 'bench-auditor',
  /** No role: started instances (their own requests), nothing else. */
  requester: 'user-000001',
} as const;

export const GROUPS = ['service-desk', 'network', 'database', 'application', 'security', 'field-support', 'change-board', 'problem-mgmt', 'facilities', 'identity'];

/** Definition keys, their record type and share of instances (out of 20). */
const KEYS: { key: string; type: string; prefix: string; share: number }[] = [
  { key: 'incident', type: 'incident', prefix: 'INC', share: 10 },
  { key: 'request', type: 'request', prefix: 'REQ', share: 5 },
  { key: 'change', type: 'change', prefix: 'CHG', share: 2 },
  { key: 'problem', type: 'problem', prefix: 'PRB', share: 2 },
  { key: 'nonconformity', type: 'nc', prefix: 'NC', share: 1 },
];

export type BuildOptions = (
  | { /** Server URL (any database on it): the target database is (re)created next to it. */ serverUrl: string; database: string }
  | { /** An existing, empty database (tests: PGlite or a test database). */ url: string }
) & { scale: number; log?: (line: string) => void };

export interface BuildResult {
  url: string;
  seconds: number;
  counts: Record<string, number>;
}

/** Creates (drops first) and fills the database; answers its URL. */
export async function buildBenchData(o: BuildOptions): Promise<BuildResult> {
  if (!(o.scale > 0 && o.scale <= 10)) throw new Error(`BENCH_DATA_SCALE must be a number in (0, 10], not ${o.scale}`);
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const url = new URL('url' in o ? o.url : o.serverUrl);
  if (!('url' in o)) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(o.database)) throw new Error(`BENCH_DATA_DB must be a plain lower-case identifier, not "${o.database}"`);
    const admin = new Client({ connectionString: o.serverUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${o.database} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${o.database}`);
    } finally {
      await admin.end();
    }
    url.pathname = `/${o.database}`;
  }
  const db = await Database.open({ databaseUrl: url.toString(), dataDir: '', migrate: true });
  await db.close();
  log(`schema migrated (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  const n = (full: number, min: number) => Math.max(min, Math.round(full * o.scale));
  const finished = n(1_000_000, 200);
  const running = n(100_000, 40);
  const staff = n(1_000, 20);
  const requesters = n(5_000, 20);
  const c = new Client({ connectionString: url.toString() });
  await c.connect();
  const step = async (label: string, ...args: [Client, string, unknown[]?] | [string, unknown[]?]) => {
    const [client, sql, params] = typeof args[0] === 'string' ? [c, args[0], args[1] as unknown[] | undefined] : (args as [Client, string, unknown[]?]);
    const t = Date.now();
    const r = await client.query(sql, params ?? []);
    log(`${label}: ${r.rowCount ?? 0} rows, ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
  try {
    // bulk load: no triggers, no foreign key checks (the rows are consistent by construction)
    await c.query(`SET session_replication_role = replica`);
    await c.query(`SET synchronous_commit = off`);
    await c.query(`SET maintenance_work_mem = '512MB'`);
    await c.query(`SET work_mem = '64MB'`);
    // RFC 4122 version-4 shaped ids (the API refuses other UUIDs), derived from a seed
    await c.query(`CREATE FUNCTION bench_uuid(seed text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
      SELECT overlay(overlay(md5(seed) PLACING '4' FROM 13) PLACING '8' FROM 17)::uuid $$`);
    await identities(c, staff, requesters, step);
    await definitions(c);
    const total = finished + running;
    // month partitions of the history over the two years (the retention job keeps them so; without
    // them every generated event would land in the default partition)
    await step('history partitions', `SELECT history_event_ensure_month(m) FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '25 months',
                                                                                    date_trunc('month', now() AT TIME ZONE 'UTC'), interval '1 month') m`);
    // secondary indexes are built once after the load (one sort each) instead of row by row
    const deferred = await dropSecondaryIndexes(c, ['process_instance', 'user_task', 'record', 'instance_participant', 'task_participant']);
    // instance g (1..total): started evenly over two years, oldest first; the last `running` ones still run
    await step('instances', `
      INSERT INTO process_instance (id, definition_id, definition_key, definition_version, business_key, status, snapshot, variables,
                                    active_element_ids, revision, started_by, started_at, ended_at, end_reason, history_seq, history_hash)
      SELECT bench_uuid('i' || g), d.id, d.key, d.version, CASE WHEN g % 3 = 0 THEN 'BK-' || g END,
             CASE WHEN g > $1 THEN 'running' WHEN g % 20 = 7 THEN 'cancelled' ELSE 'completed' END,
             CASE WHEN g > $1 THEN (SELECT jsonb_build_object('id', d.key, 'state', 'running', 'engineVersion', '25.0.1',
                    'definitions', jsonb_agg(jsonb_build_object('id', 'el-' || k, 'type', 'bpmn:UserTask', 'status', 'executed', 'counters', jsonb_build_object('taken', k % 3, 'discarded', 0),
                                   'execution', jsonb_build_object('executionId', md5(g || '-' || k), 'parent', md5(g::text), 'content', md5(k || '-' || g) || md5(g || '+' || k)))))
                    FROM generate_series(1, 24) k) END,
             jsonb_build_object('impact', (ARRAY['low','medium','high'])[1 + g % 3], 'urgency', (ARRAY['low','medium','high'])[1 + (g / 3) % 3],
                                'category', (ARRAY['network','hardware','software','access','other'])[1 + g % 5], 'callerEmail', 'user' || (g % $3) || '@example.com',
                                'description', 'Generated case ' || g || ': ' || md5(g::text)),
             CASE WHEN g > $1 THEN ARRAY['resolve', 'review'] ELSE '{}' END, CASE WHEN g > $1 THEN 3 ELSE 6 END,
             'user-' || lpad((1 + g % $3)::text, 6, '0'),
             s.started_at, CASE WHEN g <= $1 THEN s.started_at + interval '1 hour' * (2 + g % 200) END,
             CASE WHEN g % 20 = 7 AND g <= $1 THEN 'raised in error' END,
             CASE WHEN g > $1 THEN 10 ELSE 9 END, md5('h' || g) || md5('H' || g)
        FROM generate_series(1, $2::int) g
        CROSS JOIN LATERAL (SELECT now() - interval '730 days' * (($2::int - g)::float8 / $2::int) - interval '1 second' * (g % 97) AS started_at) s
        JOIN process_definition d ON d.key = (CASE WHEN g % 20 < 10 THEN 'incident' WHEN g % 20 < 15 THEN 'request' WHEN g % 20 < 17 THEN 'change'
                                                   WHEN g % 20 < 19 THEN 'problem' ELSE 'nonconformity' END)
                                 AND d.version = CASE WHEN d.key = 'incident' THEN 1 + (g % 2) ELSE 1 END`,
      [finished, total, requesters]);
    await c.query(`ANALYZE process_instance`);
    // history: 9 events per finished instance, 10 per running one (about 10 M at full size); on a
    // server of its own connection, beside the tasks and records (an existing database: in turn)
    const parallel = !('url' in o);
    const writeHistory = async (): Promise<void> => {
      const h = parallel ? new Client({ connectionString: url.toString() }) : c;
      if (parallel) {
        await h.connect();
        await h.query(`SET session_replication_role = replica`);
        await h.query(`SET synchronous_commit = off`);
      }
      try {
        await step('history', h, `
          INSERT INTO history_event (instance_id, seq, type, element_id, element_type, execution_id, actor, payload, occurred_at, prev_hash, hash)
          SELECT bench_uuid('i' || g), k, (ARRAY['instance.started','element.started','flow.taken','element.waiting','task.completed','variables.changed',
                                                 'element.started','element.waiting','task.completed','instance.ended'])[k],
                 CASE WHEN k > 1 AND k < 10 THEN (ARRAY['triage','resolve','review'])[1 + k % 3] END,
                 CASE WHEN k > 1 AND k < 10 THEN 'bpmn:UserTask' END,
                 CASE WHEN k > 1 AND k < 10 THEN 'ex-' || md5(g || '/' || (1 + k % 3)) END,
                 CASE WHEN k = 1 THEN 'user-' || lpad((1 + g % $3)::text, 6, '0') WHEN k IN (5, 9) THEN 'staff-' || lpad((1 + g % $4)::text, 5, '0') END,
                 jsonb_build_object('variables', jsonb_build_object('impact', (ARRAY['low','medium','high'])[1 + g % 3], 'step', k), 'note', md5(g || ':' || k)),
                 now() - interval '730 days' * (($2::int - g)::float8 / $2::int) + interval '1 minute' * k * 3,
                 CASE WHEN k > 1 THEN md5('e' || g || '-' || (k - 1)) || md5('E' || g || '-' || (k - 1)) END,
                 md5('e' || g || '-' || k) || md5('E' || g || '-' || k)
            FROM generate_series(1, $2::int) g
            CROSS JOIN LATERAL generate_series(1, CASE WHEN g > $1 THEN 10 ELSE 9 END) k`,
          [finished, total, requesters, staff]);
      } finally {
        if (parallel) await h.end();
      }
    };
    const history = parallel ? writeHistory() : null;
    // tasks: k = 1, 2 completed (finished instances); running: k = 1 completed, k = 2, 3 open
    // candidate group of task k of instance g: (g * 7 + k) % 10; its doer: a staff member of that group
    const member = (grp: string, salt: string) => `'staff-' || lpad((1 + (${grp}) + 10 * (abs(hashtext(${salt})) % ${Math.max(1, Math.floor(staff / 10))}))::text, 5, '0')`;
    await step('tasks', `
      INSERT INTO user_task (id, instance_id, definition_key, element_id, execution_id, name, assignee, candidate_users, candidate_groups, due_at, priority,
                             form_key, status, created_at, completed_at, completed_by, submitted)
      SELECT bench_uuid('t' || g || '-' || k), i.id, i.definition_key, e.element_id, 'ex-' || md5(g || '/' || k), e.name,
             CASE WHEN open AND g % 2 = 0 THEN NULL ELSE ${member('(g * 7 + k) % 10', "g || 'a' || k")} END,
             CASE WHEN g % 50 = 0 THEN ARRAY['user-' || lpad((1 + g % $3)::text, 6, '0')] ELSE '{}' END,
             ARRAY[($4::text[])[1 + (g * 7 + k) % 10]],
             CASE WHEN g % 10 < 3 THEN i.started_at + interval '1 day' * k END,
             (ARRAY[25, 50, 50, 75, 100])[1 + (g + k) % 5], 'form-' || e.element_id,
             CASE WHEN open THEN 'open' WHEN i.status = 'cancelled' AND k = 2 THEN 'cancelled' ELSE 'completed' END,
             i.started_at + interval '1 minute' * k * 7,
             CASE WHEN NOT open THEN i.started_at + interval '1 minute' * (k * 7 + 5) END,
             CASE WHEN NOT open AND NOT (i.status = 'cancelled' AND k = 2) THEN ${member('(g * 7 + k) % 10', "g || 'a' || k")} END,
             CASE WHEN NOT open THEN jsonb_build_object('resolution', 'done ' || g, 'approved', k % 2 = 0) END
        FROM generate_series(1, $2::int) g
        JOIN process_instance i ON i.id = bench_uuid('i' || g)
        CROSS JOIN LATERAL generate_series(1, CASE WHEN g > $1 THEN 3 ELSE 2 END) k
        CROSS JOIN LATERAL (SELECT g > $1 AND k > 1 AS open) o
        CROSS JOIN LATERAL (SELECT (ARRAY['triage', 'resolve', 'review'])[k] AS element_id, (ARRAY['Triage', 'Resolve', 'Review'])[k] AS name) e`,
      [finished, total, requesters, GROUPS]);
    await step('records', `
      INSERT INTO record (number, type, seq, instance_id, definition_key, state, title, priority, assignee, opened_by, opened_at, acknowledged_at, resolved_at,
                          closed_at, response_due_at, response_met, response_elapsed_ms, resolution_due_at, resolution_met, resolution_elapsed_ms, sla_paused, fields, updated_at)
      SELECT x.prefix || lpad(x.seq::text, 7, '0'), x.type, x.seq, i.id, i.definition_key,
             CASE WHEN i.status = 'running' THEN (ARRAY['new', 'in-progress', 'pending'])[1 + x.g % 3] WHEN i.status = 'cancelled' THEN 'cancelled' ELSE 'closed' END,
             (ARRAY['Printer not working', 'VPN drops every hour', 'New laptop for', 'Password reset', 'Database slow', 'Mail not delivered', 'Access to share'])[1 + x.g % 7] || ' #' || x.g,
             (ARRAY['P1', 'P2', 'P3', 'P3', 'P4'])[1 + x.g % 5],
             CASE WHEN x.g % 2 = 1 OR i.status <> 'running' THEN 'staff-' || lpad((1 + x.g % $2)::text, 5, '0') END,
             i.started_by, i.started_at,
             CASE WHEN i.status <> 'running' OR x.g % 3 > 0 THEN i.started_at + interval '1 minute' * (5 + x.g % 90) END,
             CASE WHEN i.status <> 'running' THEN i.ended_at - interval '10 minutes' END,
             i.ended_at,
             i.started_at + interval '4 hours', CASE WHEN i.status <> 'running' OR x.g % 3 > 0 THEN x.g % 11 <> 0 END,
             CASE WHEN i.status <> 'running' OR x.g % 3 > 0 THEN (5 + x.g % 90) * 60000 END,
             i.started_at + interval '3 days', CASE WHEN i.status <> 'running' THEN x.g % 7 <> 0 END,
             CASE WHEN i.status <> 'running' THEN extract(epoch FROM i.ended_at - i.started_at)::bigint * 1000 END,
             i.status = 'running' AND x.g % 17 = 0,
             jsonb_build_object('impact', i.variables ->> 'impact', 'urgency', i.variables ->> 'urgency', 'category', i.variables ->> 'category',
                                'reopenCount', CASE WHEN x.g % 13 = 0 THEN 1 ELSE 0 END, 'changeType', (ARRAY['standard', 'normal', 'emergency'])[1 + x.g % 3],
                                'outcome', CASE WHEN x.type = 'change' AND i.status = 'completed' THEN (ARRAY['successful', 'successful', 'failed'])[1 + x.g % 3] END,
                                'reviewCompleted', x.g % 4 > 0, 'effectiveAtFirstCheck', x.g % 5 > 0,
                                'rcaDueAt', to_char(i.started_at + interval '10 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                'rcaCompletedAt', CASE WHEN i.status <> 'running' THEN to_char(i.ended_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END),
             COALESCE(i.ended_at, i.started_at)
        FROM (SELECT g, k.type, k.prefix, row_number() OVER (PARTITION BY k.type ORDER BY g) AS seq
                FROM generate_series(1, $1::int) g
                JOIN (VALUES ${KEYS.map((k) => `('${k.key}', '${k.type}', '${k.prefix}')`).join(', ')}) k(key, type, prefix)
                  ON k.key = (CASE WHEN g % 20 < 10 THEN 'incident' WHEN g % 20 < 15 THEN 'request' WHEN g % 20 < 17 THEN 'change'
                                   WHEN g % 20 < 19 THEN 'problem' ELSE 'nonconformity' END)) x
        JOIN process_instance i ON i.id = bench_uuid('i' || x.g)`,
      [total, staff]);
    await (history ?? writeHistory());
    await step('record counters', `INSERT INTO record_counter (type, last_value) SELECT type, max(seq) FROM record GROUP BY type`);
    // what the triggers of migration 1765100000000 would have written (they are off during the load):
    // the participants as one set (PARTICIPANTS_BACKFILL's rows without a lateral per instance; every
    // generated instance has its record, so no_record keeps its default, migration 1767100000001), and
    // the record's SLA target on the tasks of its own instance (the generated data has no call activities)
    await step('instance participants', `
      INSERT INTO instance_participant (principal, started_at, instance_id)
      SELECT 'u:' || i.started_by, i.started_at, i.id FROM process_instance i WHERE i.started_by IS NOT NULL
       UNION
      SELECT p, i.started_at, i.id FROM user_task t JOIN process_instance i ON i.id = t.instance_id CROSS JOIN LATERAL unnest(task_principals(t)) p`);
    await step('task SLA targets', `
      UPDATE user_task t SET sla_due_at = record_sla_due(r.closed_at, r.sla_paused, r.acknowledged_at, r.response_due_at, r.resolved_at, r.resolution_due_at)
        FROM record r
       WHERE r.instance_id = t.instance_id
         AND record_sla_due(r.closed_at, r.sla_paused, r.acknowledged_at, r.response_due_at, r.resolved_at, r.resolution_due_at) IS NOT NULL`);
    // the task participants of migrations 1765700000000 and 1767100000000 (TASK_PARTICIPANTS_BACKFILL
    // with the record number of TASK_RECORD_NUMBER_BACKFILL), after the SLA targets they copy: one
    // set; the generated data has no call activities, so a task's record is its own instance's
    await step('task participants', `
      INSERT INTO task_participant (principal, task_id, status, priority, due, created_at, record_number)
      SELECT p, t.id, t.status, t.priority, COALESCE(t.due_at, t.sla_due_at), t.created_at, r.number
        FROM user_task t LEFT JOIN record r ON r.instance_id = t.instance_id CROSS JOIN LATERAL unnest(task_list_principals(t)) p`);
    await c.query(`SET session_replication_role = origin`);
    await c.query(`DROP FUNCTION bench_uuid(text)`);
    for (const [label, sql] of deferred) await step(`index ${label}`, sql);
    const t = Date.now();
    await c.query(`VACUUM (ANALYZE)`);
    log(`vacuum analyze: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const counts: Record<string, number> = {};
    for (const table of ['process_instance', 'user_task', 'history_event', 'record', 'instance_participant', 'task_participant', 'app_user']) {
      counts[table] = Number((await c.query(`SELECT count(*)::bigint AS n FROM ${table}`)).rows[0].n);
    }
    counts.openTasks = Number((await c.query(`SELECT count(*)::bigint AS n FROM user_task WHERE status = 'open'`)).rows[0].n);
    return { url: url.toString(), seconds: (Date.now() - started) / 1000, counts };
  } finally {
    await c.end();
  }
}

/**
 * Drops the indexes of these tables that back no constraint; answers their definitions, to build
 * each once after a bulk load.
 */
async function dropSecondaryIndexes(c: Client, tables: string[]): Promise<[string, string][]> {
  const { rows } = await c.query<{ name: string; def: string }>(
    `SELECT x.indexrelid::regclass::text AS name, pg_get_indexdef(x.indexrelid) AS def
       FROM pg_index x
      WHERE x.indrelid = ANY (SELECT to_regclass(t) FROM unnest($1::text[]) t)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`,
    [tables],
  );
  for (const r of rows) await c.query(`DROP INDEX ${r.name}`);
  return rows.map((r) => [r.name, r.def]);
}

type Step = (label: string, sql: string, params?: unknown[]) => Promise<void>;

async function identities(c: Client, staff: number, requesters: number, step: Step): Promise<void> {
  const hash = await hashPassword(BENCH_PASSWORD);
  await step('groups', `INSERT INTO app_group (id, name, description) SELECT bench_uuid('g' || name), name, 'generated' FROM unnest($1::text[]) name`, [GROUPS]);
  await step('users', `
    INSERT INTO app_user (id, username, display_name, email, password_hash, roles)
    SELECT bench_uuid('u' || name), name, initcap(replace(name, '-', ' ')), name || '@example.com', $1, roles
      FROM (SELECT 'staff-' || lpad(s::text, 5, '0') AS name, ARRAY['staff'] AS roles FROM generate_series(1, $2::int) s
            UNION ALL SELECT 'user-' || lpad(s::text, 6, '0'), '{}'::text[] FROM generate_series(1, $3::int) s
            UNION ALL SELECT 'owner-' || k, ARRAY['process-owner', 'staff'] FROM unnest($4::text[]) k
            UNION ALL VALUES ('${BENCH_USERS.admin}', ARRAY['admin']), ('${BENCH_USERS.auditor}', ARRAY['auditor'])) u`,
    [hash, staff, requesters, KEYS.map((k) => k.key)]);
  // staff-i is in group (i - 1) % 10; every fifth also in the group three further on
  await step('group members', `
    INSERT INTO group_member (group_id, user_id)
    SELECT bench_uuid('g' || ($1::text[])[1 + (s - 1 + d) % 10]), bench_uuid('u' || 'staff-' || lpad(s::text, 5, '0'))
      FROM generate_series(1, $2::int) s CROSS JOIN LATERAL (SELECT 0 AS d UNION ALL SELECT 3 WHERE s % 5 = 0) x`,
    [GROUPS, staff]);
  await step('owners', `INSERT INTO definition_owner (definition_key, user_id) SELECT k, bench_uuid('u' || 'owner-' || k) FROM unnest($1::text[]) k`, [KEYS.map((k) => k.key)]);
}

async function definitions(c: Client): Promise<void> {
  for (const k of KEYS) {
    for (let version = 1; version <= (k.key === 'incident' ? 2 : 1); version++) {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_${k.key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${k.key}" name="${k.key} (generated, v${version})" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="triage"/>
    <bpmn:userTask id="triage" name="Triage" camunda:candidateGroups="service-desk"/>
    <bpmn:sequenceFlow id="f2" sourceRef="triage" targetRef="resolve"/>
    <bpmn:userTask id="resolve" name="Resolve" camunda:candidateGroups="service-desk"/>
    <bpmn:sequenceFlow id="f3" sourceRef="resolve" targetRef="review"/>
    <bpmn:userTask id="review" name="Review" camunda:candidateGroups="service-desk"/>
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>`;
      const compiled = await compileDefinition(xml, { knownHandlers: new Set(), checkExpression });
      await c.query(
        `INSERT INTO process_definition (id, key, version, name, xml, serialized, sha256, warnings, deployed_by, deployed_at)
         VALUES (bench_uuid($1 || $2::text), $1, $2::int, $3, $4, $5, $6, '[]', '${BENCH_USERS.admin}', now() - interval '800 days')`,
        [k.key, version, compiled.name, compiled.xml, compiled.serialized, compiled.sha256],
      );
    }
  }
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('set DATABASE_URL to a PostgreSQL server (the database BENCH_DATA_DB is created on it)');
  const database = process.env.BENCH_DATA_DB ?? 'itsm_bench_1m';
  const scale = Number(process.env.BENCH_DATA_SCALE ?? 1);
  const result = await buildBenchData({ serverUrl, database, scale, log: (line) => console.log(line) });
  console.log(`built ${database} at scale ${scale} in ${result.seconds.toFixed(0)} s: ${JSON.stringify(result.counts)}`);
  const url = new URL(result.url);
  url.password = url.password ? '***' : '';
  console.log(`read benchmark: BENCH_READS_DATABASE_URL=${url.toString()} npm run bench:reads`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
