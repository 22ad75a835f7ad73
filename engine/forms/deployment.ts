import { createHash } from 'node:crypto';
import { EngineError, EngineErrorCode, invalidDefinition, type DefinitionProblem } from '../errors';
import { compileForm, MAX_FORMS_PER_DEPLOYMENT, type CompiledForm } from './schema';

/** One uploaded file of a deployment. */
export interface DeploymentFile {
  /** The file name as uploaded (for messages). */
  name: string;
  content: Uint8Array | string;
}

/** Which form an element (user task or start event) shows. */
export interface FormBinding {
  elementId: string;
  formId: string;
  /** `camunda:formRef`, or `camunda:formKey` naming a form of the deployment. */
  attribute: 'formRef' | 'formKey';
}

interface ContextActivity {
  id: string;
  type: string;
  name?: string;
  behaviour?: Record<string, unknown>;
}

/**
 * Checks every `.form` file of a deployment and binds the BPMN elements to them:
 *  - `camunda:formRef="f"` on a user task or start event must name a form of the same
 *    deployment (else the deployment is refused, naming the element and the form id);
 *  - `camunda:formKey="f"` binds to the form `f` when the deployment has one; any other form key
 *    (e.g. `embedded:app:forms/x.html`, an expression) stays a plain string for external forms.
 * formRef wins over formKey.
 * @throws EngineError INVALID_DEFINITION listing every problem
 */
export function prepareForms(files: DeploymentFile[], sourceContext: unknown): { forms: CompiledForm[]; bindings: FormBinding[] } {
  const problems: DefinitionProblem[] = [];
  if (files.length > MAX_FORMS_PER_DEPLOYMENT) {
    throw invalidDefinition([{ rule: 'form-limit', message: `a deployment holds at most ${MAX_FORMS_PER_DEPLOYMENT} forms; this one has ${files.length}` }]);
  }
  const forms = new Map<string, CompiledForm>();
  for (const file of files) {
    const { form, problems: found } = compileForm(file.name, file.content);
    for (const p of found) problems.push({ rule: 'form-invalid', message: `form file "${p.file}"${p.formId ? ` (form "${p.formId}")` : ''}: ${p.message}` });
    if (!form) continue;
    if (forms.has(form.id)) problems.push({ rule: 'form-duplicate', message: `form file "${file.name}": the form id "${form.id}" is used by two files of the deployment` });
    else forms.set(form.id, form);
  }
  const bindings: FormBinding[] = [];
  const activities = (sourceContext as { getActivities(): ContextActivity[] }).getActivities();
  for (const activity of activities) {
    if (activity.type !== 'bpmn:UserTask' && activity.type !== 'bpmn:StartEvent') continue;
    const b = activity.behaviour ?? {};
    const formRef = typeof b.formRef === 'string' ? b.formRef.trim() : '';
    const formKey = typeof b.formKey === 'string' ? b.formKey.trim() : '';
    const what = `${activity.type === 'bpmn:UserTask' ? 'user task' : 'start event'} "${activity.name ?? activity.id}"`;
    if (formRef) {
      if (forms.has(formRef)) bindings.push({ elementId: activity.id, formId: formRef, attribute: 'formRef' });
      else {
        problems.push({
          rule: 'form-missing',
          elementId: activity.id,
          message: `${what} references the form "${formRef}" (camunda:formRef), which is not in this deployment: add the file whose top-level "id" is "${formRef}"`,
        });
      }
    } else if (formKey && forms.has(formKey)) {
      bindings.push({ elementId: activity.id, formId: formKey, attribute: 'formKey' });
    }
  }
  if (problems.length) throw invalidDefinition(problems);
  return { forms: [...forms.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), bindings };
}

/**
 * The version hash of a deployment: the BPMN's own SHA-256 when it has no forms (unchanged from
 * before forms existed), else the hash of the BPMN hash and every form's id and hash, so a
 * changed form alone makes a new version and an identical redeploy does not.
 */
export function deploymentHash(bpmnSha256: string, forms: CompiledForm[]): string {
  if (!forms.length) return bpmnSha256;
  const h = createHash('sha256').update(`bpmn:${bpmnSha256}\n`);
  for (const form of forms) h.update(`form:${form.id}:${form.sha256}\n`);
  return h.digest('hex');
}

/**
 * Deploys a decision (DMN) file found in a deployment, inside the deployment's transaction.
 * Implemented by the decision tables feature and registered on the orchestrator
 * (`orchestrator.registerDecisionDeployer`); without one, a `.dmn` part is refused.
 */
export type DecisionDeployer<Store = unknown> = (store: Store, xml: string, actor: string | null) => Promise<unknown>;

export function decisionsNotSupported(): EngineError {
  return new EngineError(EngineErrorCode.InvalidDefinition, 'decision tables are not supported by this server yet', {
    details: { problems: [{ rule: 'dmn-unsupported', message: 'decision tables are not supported by this server yet' }] },
  });
}
