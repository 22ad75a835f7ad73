import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who takes part in an instance, for the list queries (api/auth/access.ts): one row per instance
 * and principal — `u:<username>` for its starter and for every assignee, completer and candidate
 * user of its tasks, `g:<group>` for every candidate group of its tasks — with the instance's
 * start time, so a viewer's instances come newest first from one index range per principal
 * instead of a scan of every instance with a subplan over its tasks.
 *
 * Kept exact by triggers in the writing command's own transaction (no engine code involved): a
 * new instance adds its starter; a new or changed task adds its principals, and when a change
 * drops one (unclaim, reassignment) the instance's set is recomputed. The set always equals what
 * `started_by` and the instance's task rows say now.
 */
export const PARTICIPANTS_BACKFILL = `
  INSERT INTO instance_participant (principal, started_at, instance_id)
  SELECT DISTINCT x.principal, i.started_at, i.id
    FROM process_instance i
    CROSS JOIN LATERAL (
      SELECT 'u:' || i.started_by AS principal WHERE i.started_by IS NOT NULL
      UNION ALL SELECT 'u:' || t.assignee FROM user_task t WHERE t.instance_id = i.id AND t.assignee IS NOT NULL
      UNION ALL SELECT 'u:' || t.completed_by FROM user_task t WHERE t.instance_id = i.id AND t.completed_by IS NOT NULL
      UNION ALL SELECT 'u:' || u FROM user_task t, unnest(t.candidate_users) u WHERE t.instance_id = i.id
      UNION ALL SELECT 'g:' || g FROM user_task t, unnest(t.candidate_groups) g WHERE t.instance_id = i.id) x
  ON CONFLICT DO NOTHING`;

/** Copies every task's record SLA target (see the trigger below); for migrations and bulk loads. */
export const TASK_SLA_BACKFILL = `
  UPDATE user_task t SET sla_due_at = d.due
    FROM (SELECT t2.id, record_sla_due(r.closed_at, r.sla_paused, r.acknowledged_at, r.response_due_at, r.resolved_at, r.resolution_due_at) AS due
            FROM user_task t2 JOIN process_instance ti ON ti.id = t2.instance_id
            JOIN LATERAL (SELECT * FROM record rr WHERE rr.instance_id = ti.id OR rr.instance_id = ti.root_instance_id
                           ORDER BY (rr.instance_id = ti.id) DESC LIMIT 1) r ON true) d
   WHERE t.id = d.id AND d.due IS NOT NULL`;

export class ListReads1765100000000 implements MigrationInterface {
  name = 'ListReads1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE instance_participant (
        principal   text        NOT NULL,
        started_at  timestamptz NOT NULL,
        instance_id uuid        NOT NULL CONSTRAINT fk_instance_participant_instance REFERENCES process_instance (id) ON DELETE CASCADE,
        CONSTRAINT pk_instance_participant PRIMARY KEY (principal, instance_id)
      )`);
    // newest first per principal: the order of the instance and record lists
    await q.query(`CREATE INDEX ix_instance_participant_order ON instance_participant (principal, started_at DESC, instance_id)`);
    await q.query(`CREATE INDEX ix_instance_participant_instance ON instance_participant (instance_id)`);
    await q.query(`
      CREATE FUNCTION task_principals(t user_task) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
        SELECT ARRAY(SELECT DISTINCT p FROM (
          SELECT 'u:' || t.assignee AS p WHERE t.assignee IS NOT NULL
          UNION ALL SELECT 'u:' || t.completed_by WHERE t.completed_by IS NOT NULL
          UNION ALL SELECT 'u:' || u FROM unnest(t.candidate_users) u
          UNION ALL SELECT 'g:' || g FROM unnest(t.candidate_groups) g) x)
      $$`);
    await q.query(`
      CREATE FUNCTION refresh_instance_participants(iid uuid) RETURNS void LANGUAGE sql AS $$
        DELETE FROM instance_participant p WHERE p.instance_id = iid AND p.principal <> ALL (ARRAY(
          SELECT 'u:' || i.started_by FROM process_instance i WHERE i.id = iid AND i.started_by IS NOT NULL
          UNION ALL SELECT unnest(task_principals(t)) FROM user_task t WHERE t.instance_id = iid));
      $$`);
    await q.query(`
      CREATE FUNCTION instance_participant_task() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await q.query(`CREATE TRIGGER tr_instance_participant_task_insert AFTER INSERT ON user_task FOR EACH ROW EXECUTE FUNCTION instance_participant_task()`);
    await q.query(`
      CREATE TRIGGER tr_instance_participant_task_update AFTER UPDATE OF assignee, completed_by, candidate_users, candidate_groups ON user_task FOR EACH ROW
      WHEN (OLD.assignee IS DISTINCT FROM NEW.assignee OR OLD.completed_by IS DISTINCT FROM NEW.completed_by
            OR OLD.candidate_users IS DISTINCT FROM NEW.candidate_users OR OLD.candidate_groups IS DISTINCT FROM NEW.candidate_groups)
      EXECUTE FUNCTION instance_participant_task()`);
    await q.query(`CREATE TRIGGER tr_instance_participant_task_delete AFTER DELETE ON user_task FOR EACH ROW EXECUTE FUNCTION instance_participant_task()`);
    await q.query(`
      CREATE FUNCTION instance_participant_instance() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.started_by IS NOT NULL THEN
            INSERT INTO instance_participant (principal, started_at, instance_id) VALUES ('u:' || NEW.started_by, NEW.started_at, NEW.id) ON CONFLICT DO NOTHING;
          END IF;
        ELSIF NEW.started_at IS DISTINCT FROM OLD.started_at THEN
          UPDATE instance_participant SET started_at = NEW.started_at WHERE instance_id = NEW.id;
        ELSE
          IF NEW.started_by IS NOT NULL THEN
            INSERT INTO instance_participant (principal, started_at, instance_id) VALUES ('u:' || NEW.started_by, NEW.started_at, NEW.id) ON CONFLICT DO NOTHING;
          END IF;
          PERFORM refresh_instance_participants(NEW.id);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_instance_participant_instance_insert AFTER INSERT ON process_instance FOR EACH ROW EXECUTE FUNCTION instance_participant_instance()`);
    await q.query(`
      CREATE TRIGGER tr_instance_participant_instance_update AFTER UPDATE OF started_by, started_at ON process_instance FOR EACH ROW
      WHEN (OLD.started_by IS DISTINCT FROM NEW.started_by OR OLD.started_at IS DISTINCT FROM NEW.started_at)
      EXECUTE FUNCTION instance_participant_instance()`);
    await q.query(PARTICIPANTS_BACKFILL);
    // The task list's order (priority, then the task's due date, else its record's nearest running
    // SLA target) from an index: that SLA target is copied onto the task rows (sla_due_at), kept
    // by triggers when a task is created and when its record's SLA columns change.
    await q.query(`ALTER TABLE user_task ADD COLUMN sla_due_at timestamptz NULL`);
    await q.query(`
      CREATE FUNCTION record_sla_due(closed_at timestamptz, sla_paused boolean, acknowledged_at timestamptz, response_due_at timestamptz,
                                     resolved_at timestamptz, resolution_due_at timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN closed_at IS NULL AND NOT sla_paused THEN LEAST(CASE WHEN acknowledged_at IS NULL THEN response_due_at END,
                                                                       CASE WHEN resolved_at IS NULL THEN resolution_due_at END) END
      $$`);
    // the task's record: its instance's own, else its root instance's (as the task list joins it)
    await q.query(`
      CREATE FUNCTION task_sla_due(iid uuid) RETURNS timestamptz LANGUAGE sql STABLE AS $$
        SELECT record_sla_due(r.closed_at, r.sla_paused, r.acknowledged_at, r.response_due_at, r.resolved_at, r.resolution_due_at)
          FROM record r
         WHERE r.instance_id = iid OR r.instance_id = (SELECT ti.root_instance_id FROM process_instance ti WHERE ti.id = iid)
         ORDER BY (r.instance_id = iid) DESC LIMIT 1
      $$`);
    await q.query(`
      CREATE FUNCTION user_task_sla_due() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.sla_due_at := task_sla_due(NEW.instance_id);
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER tr_user_task_sla_due BEFORE INSERT ON user_task FOR EACH ROW EXECUTE FUNCTION user_task_sla_due()`);
    await q.query(`
      CREATE FUNCTION record_sla_due_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE user_task t SET sla_due_at = task_sla_due(t.instance_id)
         WHERE t.instance_id IN (SELECT NEW.instance_id UNION ALL SELECT c.id FROM process_instance c WHERE c.root_instance_id = NEW.instance_id)
           AND t.sla_due_at IS DISTINCT FROM task_sla_due(t.instance_id);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tr_record_sla_due_insert AFTER INSERT ON record FOR EACH ROW EXECUTE FUNCTION record_sla_due_changed()`);
    await q.query(`
      CREATE TRIGGER tr_record_sla_due_update AFTER UPDATE ON record FOR EACH ROW
      WHEN (record_sla_due(OLD.closed_at, OLD.sla_paused, OLD.acknowledged_at, OLD.response_due_at, OLD.resolved_at, OLD.resolution_due_at)
            IS DISTINCT FROM record_sla_due(NEW.closed_at, NEW.sla_paused, NEW.acknowledged_at, NEW.response_due_at, NEW.resolved_at, NEW.resolution_due_at)
            OR OLD.instance_id IS DISTINCT FROM NEW.instance_id)
      EXECUTE FUNCTION record_sla_due_changed()`);
    await q.query(TASK_SLA_BACKFILL);
    await q.query(`CREATE INDEX ix_user_task_list_priority ON user_task (status, priority DESC, (COALESCE(due_at, sla_due_at)) ASC NULLS LAST, created_at, id)`);
    await q.query(`CREATE INDEX ix_user_task_list_due ON user_task (status, (COALESCE(due_at, sla_due_at)) ASC NULLS LAST, priority DESC, created_at, id)`);
    await q.query(`CREATE INDEX ix_user_task_list_created ON user_task (status, created_at, id)`);
    // admins and auditors: newest first over everything; process owners: newest first per key
    await q.query(`CREATE INDEX ix_process_instance_started ON process_instance (started_at DESC, id)`);
    await q.query(`CREATE INDEX ix_process_instance_key_started ON process_instance (definition_key, started_at DESC, id)`);
    await q.query(`CREATE INDEX ix_record_opened ON record (opened_at DESC, number DESC)`);
    // open tasks offered to a group: the posting lists of open tasks only (completed ones stay out)
    await q.query(`CREATE INDEX ix_user_task_open_candidate_groups ON user_task USING gin (candidate_groups) WHERE status = 'open'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_user_task_list_created`);
    await q.query(`DROP INDEX ix_user_task_list_due`);
    await q.query(`DROP INDEX ix_user_task_list_priority`);
    await q.query(`DROP TRIGGER tr_record_sla_due_update ON record`);
    await q.query(`DROP TRIGGER tr_record_sla_due_insert ON record`);
    await q.query(`DROP TRIGGER tr_user_task_sla_due ON user_task`);
    await q.query(`DROP FUNCTION record_sla_due_changed()`);
    await q.query(`DROP FUNCTION user_task_sla_due()`);
    await q.query(`DROP FUNCTION task_sla_due(uuid)`);
    await q.query(`DROP FUNCTION record_sla_due(timestamptz, boolean, timestamptz, timestamptz, timestamptz, timestamptz)`);
    await q.query(`ALTER TABLE user_task DROP COLUMN sla_due_at`);
    await q.query(`DROP INDEX ix_user_task_open_candidate_groups`);
    await q.query(`DROP INDEX ix_record_opened`);
    await q.query(`DROP INDEX ix_process_instance_key_started`);
    await q.query(`DROP INDEX ix_process_instance_started`);
    await q.query(`DROP TRIGGER tr_instance_participant_instance_update ON process_instance`);
    await q.query(`DROP TRIGGER tr_instance_participant_instance_insert ON process_instance`);
    await q.query(`DROP TRIGGER tr_instance_participant_task_delete ON user_task`);
    await q.query(`DROP TRIGGER tr_instance_participant_task_update ON user_task`);
    await q.query(`DROP TRIGGER tr_instance_participant_task_insert ON user_task`);
    await q.query(`DROP FUNCTION instance_participant_instance()`);
    await q.query(`DROP FUNCTION instance_participant_task()`);
    await q.query(`DROP FUNCTION refresh_instance_participants(uuid)`);
    await q.query(`DROP FUNCTION task_principals(user_task)`);
    await q.query(`DROP TABLE instance_participant`);
  }
}
