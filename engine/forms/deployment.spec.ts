import { EngineError } from '../errors';
import { deploymentHash, prepareForms } from './deployment';

const context = (activities: { id: string; type: string; behaviour: Record<string, unknown> }[]) => ({ getActivities: () => activities });
const file = (id: string, name = `${id}.form`) => ({ name, content: JSON.stringify({ id, type: 'default', components: [{ type: 'textfield', key: 'a' }] }) });

function refusal(fn: () => unknown): { rule: string; elementId?: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return (error as EngineError).details!.problems as never;
  }
  throw new Error('expected a refusal');
}

describe('forms of a deployment', () => {
  it('binds formRef (which wins) and a formKey naming a deployed form; other form keys stay external', () => {
    const { forms, bindings } = prepareForms(
      [file('b'), file('a')],
      context([
        { id: 't1', type: 'bpmn:UserTask', behaviour: { formRef: 'a', formKey: 'b' } },
        { id: 't2', type: 'bpmn:UserTask', behaviour: { formKey: 'b' } },
        { id: 't3', type: 'bpmn:UserTask', behaviour: { formKey: 'embedded:app:x.html' } },
        { id: 's', type: 'bpmn:StartEvent', behaviour: { formRef: 'b' } },
        { id: 'x', type: 'bpmn:ServiceTask', behaviour: { formRef: 'zzz' } },
      ]),
    );
    expect(forms.map((f) => f.id)).toEqual(['a', 'b']);
    expect(bindings).toEqual([
      { elementId: 't1', formId: 'a', attribute: 'formRef' },
      { elementId: 't2', formId: 'b', attribute: 'formKey' },
      { elementId: 's', formId: 'b', attribute: 'formRef' },
    ]);
  });

  it('refuses a formRef outside the deployment, naming the element and the form, and duplicate form ids', () => {
    expect(refusal(() => prepareForms([file('a')], context([{ id: 't1', type: 'bpmn:UserTask', behaviour: { name: 'x', formRef: 'nope' } }])))).toEqual([
      expect.objectContaining({ rule: 'form-missing', elementId: 't1', message: expect.stringContaining('"nope"') }),
    ]);
    expect(refusal(() => prepareForms([file('a'), file('a', 'copy.form')], context([])))).toEqual([expect.objectContaining({ rule: 'form-duplicate' })]);
  });

  it('hashes the BPMN alone without forms, and the forms with it otherwise', () => {
    const bpmn = 'f'.repeat(64);
    expect(deploymentHash(bpmn, [])).toBe(bpmn);
    const one = prepareForms([file('a')], context([])).forms;
    const changed = prepareForms([{ name: 'a.form', content: JSON.stringify({ id: 'a', type: 'default', components: [] }) }], context([])).forms;
    expect(deploymentHash(bpmn, one)).not.toBe(bpmn);
    expect(deploymentHash(bpmn, one)).toBe(deploymentHash(bpmn, prepareForms([file('a')], context([])).forms));
    expect(deploymentHash(bpmn, one)).not.toBe(deploymentHash(bpmn, changed));
  });
});
