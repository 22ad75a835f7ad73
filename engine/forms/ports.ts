import type { FormBinding } from './deployment';
import type { GroupOption } from './group-options';

/** A stored form of a definition version. */
export interface StoredForm {
  formId: string;
  schema: Record<string, unknown>;
  sha256: string;
}

/** Form storage inside a command's transaction (implemented by api/engine-host). */
export interface FormStore {
  /** Stores the forms deployed with a definition version and which element shows which. */
  insertForms(definitionId: string, forms: StoredForm[], bindings: FormBinding[], createdAt: string): Promise<void>;
  /**
   * The form a task shows: the element's binding (formRef, or a formKey naming a deployed form),
   * else the form of that definition version whose id is the task's resolved form key; null if none.
   */
  formForTask(definitionId: string, elementId: string, formKey: string | null): Promise<StoredForm | null>;
  /**
   * The enabled members of each named group (by group name, compared case-insensitively), sorted by
   * username, as form options (`valuesKey: "group:<name>"`, see group-options.ts); a group that
   * does not exist is absent from the answer.
   */
  groupMembers(groups: readonly string[]): Promise<Record<string, GroupOption[]>>;
}
