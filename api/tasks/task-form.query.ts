import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, fieldsOf, groupOptionGroups, groupOptionsScope } from '../../engine';
import { Database } from '../database/database';
import { FORM_FOR_TASK_SQL, queryGroupMembers } from '../engine-host/typeorm-form-store';

export interface TaskForm {
  formId: string;
  /** The form-js schema as deployed with the task's definition version. */
  schema: Record<string, unknown>;
  /** The current process variables restricted to the form's field keys. */
  data: Record<string, unknown>;
}

/** The form of a user task (GET /api/tasks/:id/form); the caller checked that it may read the task. */
@Injectable()
export class TaskFormQuery {
  constructor(@Inject(Database) private readonly db: Database) {}

  async forTask(taskId: string): Promise<TaskForm> {
    const [task] = await this.db.dataSource.query(
      `SELECT t.element_id, t.form_key, i.definition_id, i.variables FROM user_task t JOIN process_instance i ON i.id = t.instance_id WHERE t.id = $1`,
      [taskId],
    );
    if (!task) throw new EngineError(EngineErrorCode.TaskNotFound, `no task with id "${taskId}"`);
    const [form] = await this.db.dataSource.query(`SELECT ${FORM_FOR_TASK_SQL}`, [task.definition_id, task.element_id, task.form_key]);
    if (!form) {
      throw new EngineError(EngineErrorCode.FormNotFound, `task ${taskId} has no form${task.form_key ? ` deployed with its definition (its form key "${task.form_key}" names an external form)` : ''}`, {
        details: { formKey: task.form_key },
      });
    }
    const variables: Record<string, unknown> = task.variables ?? {};
    const data: Record<string, unknown> = {};
    const fields = fieldsOf(form.schema);
    for (const field of fields) {
      if (Object.prototype.hasOwnProperty.call(variables, field.key)) data[field.key] = variables[field.key];
    }
    // `valuesKey: "group:<name>"` options: the group's members, where form-js reads them (data["group:cab"]).
    const groups = groupOptionGroups(fields);
    if (groups.length) Object.assign(data, groupOptionsScope(await queryGroupMembers((sql, params) => this.db.dataSource.query(sql, params), groups), groups));
    return { formId: form.form_id, schema: form.schema, data };
  }
}
