import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The list-read triggers (migrations 1765100000000, 1765640000000, 1765700000000, 1767000200000,
 * 1767100000000) with the same results for less PostgreSQL work per command. On the incident flow
 * they were most of the server's PostgreSQL CPU (pg_stat_user_functions; the command's own
 * statements are unchanged):
 * - task_principals builds its set with plain array operations (PL/pgSQL simple expressions)
 *   instead of a query per call (about 6 calls per command);
 * - task_sla_due and task_record_number look the record up by instance, then by root instance:
 *   two unique-index probes instead of an OR that PostgreSQL answers with a scan of the record
 *   table; task_record_number was still a SQL function, parsed and planned again at every call;
 * - task_participant_sync reads the task's rows once, then updates them in place, and inserts or
 *   deletes only the principals that came or went, instead of a delete and an INSERT ... ON
 *   CONFLICT DO UPDATE per principal (which locks, and WAL-logs the lock of, every existing row
 *   even when nothing changes);
 * - instance_participant_task computes each principal set once and inserts only the principals the
 *   instance does not have yet (the completer, the new assignee are usually there already), so the
 *   no_record trigger and the speculative insertion run only for new rows;
 * - the SLA-copy and record-number triggers compute the value once per instance instead of twice
 *   per task row.
 */
export class TriggerCosts1767200000000 implements MigrationInterface {
  name = 'TriggerCosts1767200000000';

  async up(q: QueryRunner): Promise<void> {
    // the same set as the DISTINCT query (order aside: every caller treats it as a set)
    await q.query(`
      CREATE OR REPLACE FUNCTION task_principals(t user_task) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
      DECLARE
        result text[] := '{}';
        x text;
      BEGIN
        IF t.assignee IS NOT NULL THEN result := ARRAY['u:' || t.assignee]; END IF;
        IF t.completed_by IS NOT NULL AND array_position(result, 'u:' || t.completed_by) IS NULL THEN
          result := array_append(result, 'u:' || t.completed_by);
        END IF;
        IF t.candidate_users IS NOT NULL THEN
          FOREACH x IN ARRAY t.candidate_users LOOP
            IF array_position(result, 'u:' || x) IS NULL THEN result := array_append(result, 'u:' || x); END IF;
          END LOOP;
        END IF;
        IF t.candidate_groups IS NOT NULL THEN
          FOREACH x IN ARRAY t.candidate_groups LOOP
            IF array_position(result, 'g:' || x) IS NULL THEN result := array_append(result, 'g:' || x); END IF;
          END LOOP;
        END IF;
        RETURN result;
      END $$`);
    // the instance's own record, else its root instance's (instance_id is unique in record)
    await q.query(`
      CREATE OR REPLACE FUNCTION task_sla_due(iid uuid) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
      DECLARE
        due timestamptz;
      BEGIN
        SELECT record_sla_due(r.closed_at, r.sla_paused, r.acknowledged_at, r.response_due_at, r.resolved_at, r.resolution_due_at) INTO due
          FROM record r WHERE r.instance_id = iid;
        IF NOT FOUND THEN
          SELECT record_sla_due(r.closed_at, r.sla_paused, r.acknowledged_at, r.response_due_at, r.resolved_at, r.resolution_due_at) INTO due
            FROM record r WHERE r.instance_id = (SELECT ti.root_instance_id FROM process_instance ti WHERE ti.id = iid);
        END IF;
        RETURN due;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION task_record_number(iid uuid) RETURNS text LANGUAGE plpgsql STABLE AS $$
      DECLARE
        rn text;
      BEGIN
        SELECT r.number INTO rn FROM record r WHERE r.instance_id = iid;
        IF NOT FOUND THEN
          SELECT r.number INTO rn FROM record r WHERE r.instance_id = (SELECT ti.root_instance_id FROM process_instance ti WHERE ti.id = iid);
        END IF;
        RETURN rn;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION task_participant_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        principals text[] := task_list_principals(NEW);
        order_due timestamptz := COALESCE(NEW.due_at, NEW.sla_due_at);
        present text[];
        n int;
        rn text;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          -- a new task id has no rows yet (ON DELETE CASCADE removed any of an earlier task)
          INSERT INTO task_participant (principal, task_id, status, priority, due, created_at, record_number)
          SELECT x, NEW.id, NEW.status, NEW.priority, order_due, NEW.created_at, task_record_number(NEW.instance_id) FROM unnest(principals) x;
          RETURN NULL;
        END IF;
        -- an update keeps the record number of the task's rows (the record triggers keep it current)
        SELECT COALESCE(array_agg(p.principal), '{}'), (array_agg(p.record_number))[1], count(*) INTO present, rn, n
          FROM task_participant p WHERE p.task_id = NEW.id;
        IF n = 0 THEN rn := task_record_number(NEW.instance_id); END IF;
        IF NOT (present <@ principals) THEN
          DELETE FROM task_participant p WHERE p.task_id = NEW.id AND p.principal <> ALL (principals);
        END IF;
        UPDATE task_participant p SET status = NEW.status, priority = NEW.priority, due = order_due, created_at = NEW.created_at
         WHERE p.task_id = NEW.id
           AND (p.status, p.priority, p.due, p.created_at) IS DISTINCT FROM (NEW.status, NEW.priority, order_due, NEW.created_at);
        IF NOT (principals <@ present) THEN
          -- the task's row lock keeps every other writer of its rows waiting
          INSERT INTO task_participant (principal, task_id, status, priority, due, created_at, record_number)
          SELECT x, NEW.id, NEW.status, NEW.priority, order_due, NEW.created_at, rn FROM unnest(principals) x WHERE array_position(present, x) IS NULL;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION instance_participant_task() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        now_principals text[];
        was_principals text[];
        added text[] := '{}';
        x text;
      BEGIN
        IF TG_OP <> 'DELETE' THEN now_principals := task_principals(NEW); END IF;
        IF TG_OP <> 'INSERT' THEN was_principals := task_principals(OLD); END IF;
        IF TG_OP <> 'DELETE' THEN
          FOREACH x IN ARRAY now_principals LOOP
            IF TG_OP = 'INSERT' OR array_position(was_principals, x) IS NULL THEN added := array_append(added, x); END IF;
          END LOOP;
          IF cardinality(added) > 0 THEN
            INSERT INTO instance_participant (principal, started_at, instance_id)
            SELECT p, i.started_at, i.id FROM process_instance i, unnest(added) p
             WHERE i.id = NEW.instance_id
               AND NOT EXISTS (SELECT 1 FROM instance_participant e WHERE e.principal = p AND e.instance_id = NEW.instance_id)
            ON CONFLICT DO NOTHING;
          END IF;
        END IF;
        IF TG_OP <> 'INSERT' THEN
          FOREACH x IN ARRAY was_principals LOOP
            IF TG_OP = 'DELETE' OR array_position(now_principals, x) IS NULL THEN
              PERFORM refresh_instance_participants(OLD.instance_id);
              EXIT;
            END IF;
          END LOOP;
        END IF;
        RETURN NULL;
      END $$`);
    // NEW is the record of NEW.instance_id (instance_id is unique): its own tasks' target is NEW's;
    // called instances' tasks take their own record's, else this one's
    await q.query(`
      CREATE OR REPLACE FUNCTION record_sla_due_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        due timestamptz := record_sla_due(NEW.closed_at, NEW.sla_paused, NEW.acknowledged_at, NEW.response_due_at, NEW.resolved_at, NEW.resolution_due_at);
        child uuid;
      BEGIN
        UPDATE user_task t SET sla_due_at = due WHERE t.instance_id = NEW.instance_id AND t.sla_due_at IS DISTINCT FROM due;
        FOR child IN SELECT c.id FROM process_instance c WHERE c.root_instance_id = NEW.instance_id AND c.id IS DISTINCT FROM NEW.instance_id LOOP
          due := task_sla_due(child);
          UPDATE user_task t SET sla_due_at = due WHERE t.instance_id = child AND t.sla_due_at IS DISTINCT FROM due;
        END LOOP;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION called_instance_task_sla_due() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        due timestamptz := task_sla_due(NEW.id);
      BEGIN
        UPDATE user_task t SET sla_due_at = due WHERE t.instance_id = NEW.id AND t.sla_due_at IS DISTINCT FROM due;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION record_task_participants() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        affected uuid[] := ARRAY[]::uuid[];
        iid uuid;
        rn text;
      BEGIN
        IF TG_OP <> 'DELETE' THEN affected := affected || NEW.instance_id; END IF;
        IF TG_OP <> 'INSERT' THEN affected := affected || OLD.instance_id; END IF;
        FOR iid IN SELECT unnest(affected) UNION SELECT c.id FROM process_instance c WHERE c.root_instance_id = ANY (affected) LOOP
          rn := task_record_number(iid);
          UPDATE task_participant p SET record_number = rn
            FROM user_task t
           WHERE p.task_id = t.id AND t.instance_id = iid AND p.record_number IS DISTINCT FROM rn;
        END LOOP;
        RETURN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION record_task_participants() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        affected uuid[] := ARRAY[]::uuid[];
      BEGIN
        IF TG_OP <> 'DELETE' THEN affected := affected || NEW.instance_id; END IF;
        IF TG_OP <> 'INSERT' THEN affected := affected || OLD.instance_id; END IF;
        UPDATE task_participant p SET record_number = task_record_number(t.instance_id)
          FROM user_task t
         WHERE p.task_id = t.id
           AND t.instance_id IN (SELECT unnest(affected) UNION ALL SELECT c.id FROM process_instance c WHERE c.root_instance_id = ANY (affected))
           AND p.record_number IS DISTINCT FROM task_record_number(t.instance_id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION called_instance_task_sla_due() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE user_task t SET sla_due_at = task_sla_due(t.instance_id)
         WHERE t.instance_id = NEW.id AND t.sla_due_at IS DISTINCT FROM task_sla_due(t.instance_id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION record_sla_due_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE user_task t SET sla_due_at = task_sla_due(t.instance_id)
         WHERE t.instance_id IN (SELECT NEW.instance_id UNION ALL SELECT c.id FROM process_instance c WHERE c.root_instance_id = NEW.instance_id)
           AND t.sla_due_at IS DISTINCT FROM task_sla_due(t.instance_id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION instance_participant_task() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        added text[];
        removed text[];
      BEGIN
        IF TG_OP <> 'DELETE' THEN
          added := task_principals(NEW);
          IF TG_OP = 'UPDATE' THEN added := ARRAY(SELECT unnest(added) EXCEPT SELECT unnest(task_principals(OLD))); END IF;
          IF cardinality(added) > 0 THEN
            INSERT INTO instance_participant (principal, started_at, instance_id)
            SELECT p, i.started_at, i.id FROM process_instance i, unnest(added) p WHERE i.id = NEW.instance_id
            ON CONFLICT DO NOTHING;
          END IF;
        END IF;
        IF TG_OP <> 'INSERT' THEN
          removed := ARRAY(SELECT unnest(task_principals(OLD)) EXCEPT SELECT unnest(CASE WHEN TG_OP = 'UPDATE' THEN task_principals(NEW) ELSE '{}' END));
          IF cardinality(removed) > 0 THEN PERFORM refresh_instance_participants(OLD.instance_id); END IF;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION task_participant_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        principals text[] := task_list_principals(NEW);
        rn text;
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          DELETE FROM task_participant p WHERE p.task_id = NEW.id AND p.principal <> ALL (principals);
          SELECT p.record_number INTO rn FROM task_participant p WHERE p.task_id = NEW.id LIMIT 1;
          IF NOT FOUND THEN rn := task_record_number(NEW.instance_id); END IF;
        ELSE
          rn := task_record_number(NEW.instance_id);
        END IF;
        INSERT INTO task_participant AS p (principal, task_id, status, priority, due, created_at, record_number)
        SELECT x, NEW.id, NEW.status, NEW.priority, COALESCE(NEW.due_at, NEW.sla_due_at), NEW.created_at, rn FROM unnest(principals) x
        ON CONFLICT (task_id, principal) DO UPDATE
          SET status = EXCLUDED.status, priority = EXCLUDED.priority, due = EXCLUDED.due, created_at = EXCLUDED.created_at
          WHERE (p.status, p.priority, p.due, p.created_at) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.priority, EXCLUDED.due, EXCLUDED.created_at);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION task_record_number(iid uuid) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT r.number FROM record r
         WHERE r.instance_id = iid OR r.instance_id = (SELECT ti.root_instance_id FROM process_instance ti WHERE ti.id = iid)
         ORDER BY (r.instance_id = iid) DESC LIMIT 1
      $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION task_sla_due(iid uuid) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
      BEGIN
        RETURN (SELECT record_sla_due(r.closed_at, r.sla_paused, r.acknowledged_at, r.response_due_at, r.resolved_at, r.resolution_due_at)
                  FROM record r
                 WHERE r.instance_id = iid OR r.instance_id = (SELECT ti.root_instance_id FROM process_instance ti WHERE ti.id = iid)
                 ORDER BY (r.instance_id = iid) DESC LIMIT 1);
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION task_principals(t user_task) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
      BEGIN
        RETURN ARRAY(SELECT DISTINCT p FROM (
          SELECT 'u:' || t.assignee AS p WHERE t.assignee IS NOT NULL
          UNION ALL SELECT 'u:' || t.completed_by WHERE t.completed_by IS NOT NULL
          UNION ALL SELECT 'u:' || u FROM unnest(t.candidate_users) u
          UNION ALL SELECT 'g:' || g FROM unnest(t.candidate_groups) g) x);
      END $$`);
  }
}
