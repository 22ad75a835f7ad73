/** What the side panel shows for the selected diagram element: its form or decision table. */
import { h } from '../../dom';

export interface SelectedElement {
  id: string;
  type: string;
  businessObject: { $type: string; id: string; name?: string; get?(name: string): unknown };
}

const FORM_TYPES = new Set(['bpmn:UserTask', 'bpmn:StartEvent']);

export function selectedElementPanel(
  element: SelectedElement | null,
  options: { mayEdit: boolean; formOf(formId: string): boolean; editForm(): void; editDecision(): void },
): HTMLElement {
  if (!element || element.type === 'label') return h('p', { class: 'empty', 'data-testid': 'nothing-selected' }, 'Select a user task to edit its form, or a business rule task for its decision table.');
  const bo = element.businessObject;
  const type = bo.$type.replace(/^bpmn:/, '');
  const rows: Node[] = [h('p', { class: 'selected-name', 'data-testid': 'selected-name' }, h('strong', {}, bo.name || bo.id), ' ', h('span', { class: 'muted' }, `${type} · ${bo.id}`))];
  if (FORM_TYPES.has(bo.$type)) {
    const ref = (bo.get?.('camunda:formRef') as string | undefined) ?? '';
    const formKey = (bo.get?.('camunda:formKey') as string | undefined) ?? '';
    const has = Boolean(ref && options.formOf(ref)) || Boolean(formKey && options.formOf(formKey));
    rows.push(h('p', { 'data-testid': 'selected-form' }, ref ? `Form: ${ref}${has ? '' : ' (missing from the draft)'}` : formKey ? `Form key: ${formKey}` : 'No form.'));
    if (options.mayEdit) rows.push(h('button', { type: 'button', 'data-testid': 'edit-form', onclick: options.editForm }, has ? 'Edit form' : 'Create form'));
  } else if (bo.$type === 'bpmn:BusinessRuleTask') {
    const ref = (bo.get?.('camunda:decisionRef') as string | undefined) ?? '';
    rows.push(h('p', { 'data-testid': 'selected-decision' }, ref ? `Decision: ${ref}` : 'No decision table.'));
    if (options.mayEdit) rows.push(h('button', { type: 'button', 'data-testid': 'edit-decision', onclick: options.editDecision }, ref ? 'Edit decision table' : 'Create decision table'));
  }
  return h('div', { class: 'selected' }, ...rows);
}
