/**
 * The form-js editor in a modal dialog, for the form of a user task or start event. Loaded on
 * demand, so pages that never edit a form do not download it.
 */
import { h } from '../../dom';
import { modalDialog } from '../deploy/dialog';

export type FormSchema = Record<string, unknown> & { id: string };

/** A starting schema for a new form with the given id. */
export function newFormSchema(id: string, label: string): FormSchema {
  return {
    id,
    type: 'default',
    schemaVersion: 16,
    components: [{ type: 'textfield', key: 'notes', label: label ? `Notes (${label})` : 'Notes', id: `${id}_notes` }],
  };
}

/** Opens the editor on `schema`; resolves with the saved schema, or null when cancelled. */
export async function editForm(schema: FormSchema, title: string): Promise<FormSchema | null> {
  const [{ FormEditor }] = await Promise.all([
    import('@bpmn-io/form-js'),
    import('@bpmn-io/form-js/dist/assets/form-js.css'),
    import('@bpmn-io/form-js/dist/assets/form-js-editor.css'),
    import('@bpmn-io/form-js/dist/assets/properties-panel.css'),
  ]);
  const container = h('div', { class: 'form-editor-host', 'data-testid': 'form-editor' });
  const dialog = modalDialog(title, container, { confirm: 'Use this form', testId: 'form-editor-dialog' });
  const editor = new FormEditor({ container });
  try {
    await editor.importSchema(schema);
    const saved = await dialog.result;
    if (!saved) return null;
    const result = editor.saveSchema() as FormSchema;
    // The id is what camunda:formRef names: it stays the one the task refers to.
    return { ...result, id: schema.id };
  } finally {
    editor.destroy();
    dialog.close();
  }
}
