import { EngineError, EngineErrorCode } from '../errors';
import type { CommandStore, InstanceRecord, TaskRecord } from '../persistence/ports';
import { fieldsOf, type FieldSpec } from './schema';
import { validateSubmission } from './validate';

const CACHE_SIZE = 200;

/** Validates task completions against the task's form (inside the completion's transaction). */
export class TaskForms {
  /** Field specs by form hash (a stored schema never changes). */
  private readonly cache = new Map<string, FieldSpec[]>();

  /**
   * Refuses the submission with FORM_VALIDATION_FAILED (422, `errors: [{field, message}]`) when it
   * does not satisfy the task's form; does nothing for a task without a form.
   */
  async assertSubmission(store: CommandStore, instance: InstanceRecord, task: TaskRecord, submitted: Record<string, unknown>): Promise<void> {
    const form = await store.forms.formForTask(instance.definitionId, task.elementId, task.formKey);
    if (!form) return;
    let fields = this.cache.get(form.sha256);
    if (!fields) {
      fields = fieldsOf(form.schema);
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(form.sha256, fields);
    }
    const errors = validateSubmission(fields, submitted, instance.variables ?? {});
    if (errors.length) {
      throw new EngineError(
        EngineErrorCode.FormValidationFailed,
        `the submitted variables do not satisfy the form "${form.formId}": ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
        { details: { formId: form.formId, errors } },
      );
    }
  }
}
