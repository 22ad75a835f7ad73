import { Inject, Injectable } from '@nestjs/common';
import { EngineError, EngineErrorCode, fieldsOf } from '../../engine';
import { Database } from '../database/database';
import { FORM_FOR_TASK_SQL } from '../engine-host/typeorm-form-store';

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
    for (const field of fieldsOf(form.schema)) {
      if (Object.prototype.hasOwnProperty.call(variables, field.key)) data[field.key] = variables[field.key];
    }
    return { formId: form.form_id, schema: form.schema, data };
  }
}
