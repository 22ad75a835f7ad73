import { EngineError, EngineErrorCode } from '../errors';
import type { CommandStore, InstanceRecord, TaskRecord } from '../persistence/ports';
import type { RunnableDefinition } from '../runtime/instance-runner';
import { groupOptionGroups, groupOptionsScope } from './group-options';
import type { StoredForm } from './ports';
import { fieldsOf, type FieldSpec } from './schema';
import { validateSubmission } from './validate';

const CACHE_SIZE = 200;

interface ContextActivity {
  id: string;
  type: string;
  parent?: { type?: string };
  behaviour?: { eventDefinitions?: unknown[] };
}

/** Validates task completions and by-hand starts against their forms (inside the command's transaction). */
export class TaskForms {
  /** Field specs by form hash (a stored schema never changes). */
  private readonly cache = new Map<string, FieldSpec[]>();
  private readonly noneStarts = new WeakMap<RunnableDefinition, string[]>();
  private readonly startForms = new WeakMap<RunnableDefinition, StoredForm | null>();
  /** The form of a task element of a definition version (null: none), by version, element and form key. */
  private readonly taskForms = new Map<string, StoredForm | null>();

  /**
   * Refuses the submission with FORM_VALIDATION_FAILED (422, `errors: [{field, message}]`) when it
   * does not satisfy the task's form; does nothing for a task without a form.
   */
  async assertSubmission(store: CommandStore, instance: InstanceRecord, task: TaskRecord, submitted: Record<string, unknown>): Promise<void> {
    // A version's forms and bindings never change once deployed: one lookup per version, element and key.
    const key = `${instance.definitionId}\u0000${task.elementId}\u0000${task.formKey ?? ''}`;
    let form = this.taskForms.get(key);
    if (form === undefined) {
      form = await store.forms.formForTask(instance.definitionId, task.elementId, task.formKey);
      if (this.taskForms.size >= CACHE_SIZE * 4) this.taskForms.delete(this.taskForms.keys().next().value as string);
      this.taskForms.set(key, form);
    }
    if (form) await this.assertForm(store, form, submitted, instance.variables ?? {});
  }

  /**
   * A start by hand (POST /api/instances) of a process whose none start event has a form: the
   * start variables are checked like a task completion (no current values: every required field
   * must be submitted, extra variables are refused). Starts by a message, a signal, a timer or a
   * call activity carry no form and are not checked.
   */
  async assertStart(store: CommandStore, runnable: RunnableDefinition, submitted: Record<string, unknown>): Promise<void> {
    let form = this.startForms.get(runnable);
    if (form === undefined) {
      form = null;
      for (const elementId of this.noneStartEvents(runnable)) {
        form = await store.forms.formForTask(runnable.id, elementId, null);
        if (form) break;
      }
      // A version's forms never change: one lookup per parsed version.
      this.startForms.set(runnable, form);
    }
    if (form) await this.assertForm(store, form, submitted, {});
  }

  private async assertForm(store: CommandStore, form: StoredForm, submitted: Record<string, unknown>, current: Record<string, unknown>): Promise<void> {
    let fields = this.cache.get(form.sha256);
    if (!fields) {
      fields = fieldsOf(form.schema);
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(form.sha256, fields);
    }
    // Options of `valuesKey: "group:<name>"` fields: the group's members, read in this transaction.
    const groups = groupOptionGroups(fields);
    const scope = groups.length ? { ...current, ...groupOptionsScope(await store.forms.groupMembers(groups), groups) } : current;
    const errors = validateSubmission(fields, submitted, scope);
    if (errors.length) {
      throw new EngineError(
        EngineErrorCode.FormValidationFailed,
        `the submitted variables do not satisfy the form "${form.formId}": ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
        { details: { formId: form.formId, errors } },
      );
    }
  }

  /** Process-level start events without an event definition: where a start by hand begins. */
  private noneStartEvents(runnable: RunnableDefinition): string[] {
    let ids = this.noneStarts.get(runnable);
    if (!ids) {
      const activities = (runnable.sourceContext as { getActivities(): ContextActivity[] }).getActivities();
      ids = activities
        .filter((a) => a.type === 'bpmn:StartEvent' && a.parent?.type === 'bpmn:Process' && !a.behaviour?.eventDefinitions?.length)
        .map((a) => a.id);
      this.noneStarts.set(runnable, ids);
    }
    return ids;
  }
}
