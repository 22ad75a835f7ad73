import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The helpers of the participant and SLA-copy triggers (migrations 1765100000000, 1765700000000)
 * as PL/pgSQL, same statements: a SQL-language function that cannot be inlined is parsed and
 * planned again at every call site of every transaction, and a task completion calls
 * task_principals about 7 times and task_sla_due 3 times (pg_stat_user_functions on the incident
 * flow), each call planning a UNION/DISTINCT or a sorted record lookup. PL/pgSQL keeps the plan of
 * its statement for the session. Results are unchanged (the same query, the same rows).
 */
export class TriggerFunctionPlans1767000200000 implements MigrationInterface {
  name = 'TriggerFunctionPlans1767000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION task_principals(t user_task) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
      BEGIN
        RETURN ARRAY(SELECT DISTINCT p FROM (
          SELECT 'u:' || t.assignee AS p WHERE t.assignee IS NOT NULL
          UNION ALL SELECT 'u:' || t.completed_by WHERE t.completed_by IS NOT NULL
          UNION ALL SELECT 'u:' || u FROM unnest(t.candidate_users) u
          UNION ALL SELECT 'g:' || g FROM unnest(t.candidate_groups) g) x);
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION task_sla_due(iid uuid) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
      BEGIN
        RETURN (SELECT record_sla_due(r.closed_at, r.sla_paused, r.acknowledged_at, r.response_due_at, r.resolved_at, r.resolution_due_at)
                  FROM record r
                 WHERE r.instance_id = iid OR r.instance_id = (SELECT ti.root_instance_id FROM process_instance ti WHERE ti.id = iid)
                 ORDER BY (r.instance_id = iid) DESC LIMIT 1);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION task_principals(t user_task) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
        SELECT ARRAY(SELECT DISTINCT p FROM (
          SELECT 'u:' || t.assignee AS p WHERE t.assignee IS NOT NULL
          UNION ALL SELECT 'u:' || t.completed_by WHERE t.completed_by IS NOT NULL
          UNION ALL SELECT 'u:' || u FROM unnest(t.candidate_users) u
          UNION ALL SELECT 'g:' || g FROM unnest(t.candidate_groups) g) x)
      $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION task_sla_due(iid uuid) RETURNS timestamptz LANGUAGE sql STABLE AS $$
        SELECT record_sla_due(r.closed_at, r.sla_paused, r.acknowledged_at, r.response_due_at, r.resolved_at, r.resolution_due_at)
          FROM record r
         WHERE r.instance_id = iid OR r.instance_id = (SELECT ti.root_instance_id FROM process_instance ti WHERE ti.id = iid)
         ORDER BY (r.instance_id = iid) DESC LIMIT 1
      $$`);
  }
}
