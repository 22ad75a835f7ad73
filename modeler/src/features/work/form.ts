/**
 * A form-js viewer for task and start forms. The server validates task submissions too and answers
 * 422 `errors: [{field, message}]`; `showErrors` puts those messages on the fields (form-js keys
 * errors by component id, the server by variable name).
 */
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import { Form } from '@bpmn-io/form-js-viewer';
import type { FormComponent, FormSchema } from './api';

export interface FieldError {
  field: string;
  message: string;
}

export interface MountedForm {
  /** Runs form-js's own validation; answers the data and whether the fields are valid. */
  submit(): { data: Record<string, unknown>; valid: boolean };
  /** Shows the server's errors on their fields; answers those that name no field of the form. */
  showErrors(errors: FieldError[]): FieldError[];
  /** Read-only: the values show, nothing can be changed (a completed task, or someone else's). */
  setReadOnly(readOnly: boolean): void;
  destroy(): void;
}

export async function mountForm(container: HTMLElement, schema: FormSchema, data: Record<string, unknown>): Promise<MountedForm> {
  const form = new Form({ container });
  await form.importSchema(schema, data);
  const ids = componentIds(schema.components ?? []);
  return {
    submit() {
      const result = form.submit();
      return { data: result.data as Record<string, unknown>, valid: Object.keys(result.errors).length === 0 };
    },
    showErrors(errors) {
      const byId: Record<string, string[]> = {};
      const unplaced: FieldError[] = [];
      for (const error of errors) {
        const id = ids.get(error.field.split(/[.[]/)[0] ?? '');
        if (id) (byId[id] ??= []).push(error.message);
        else unplaced.push(error);
      }
      form._setState({ errors: byId });
      return unplaced;
    },
    setReadOnly(readOnly) {
      form.setProperty('readOnly', readOnly);
    },
    destroy() {
      form.destroy();
    },
  };
}

/** Variable name → component id, through groups (the first field of a key wins). */
function componentIds(components: FormComponent[], ids = new Map<string, string>()): Map<string, string> {
  for (const c of components) {
    if (c.key && c.id && !ids.has(c.key)) ids.set(c.key, c.id);
    if (Array.isArray(c.components) && c.type !== 'dynamiclist') componentIds(c.components, ids);
  }
  return ids;
}

/** The `errors` of a 422 FORM_VALIDATION_FAILED problem. */
export function fieldErrorsOf(problem: unknown): FieldError[] {
  const errors = (problem as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.filter((e): e is FieldError => typeof e?.field === 'string' && typeof e?.message === 'string');
}
