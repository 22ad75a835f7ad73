/** Forms: form-js schemas deployed with a definition, checked at deploy and enforced on task completion. */
export { prepareForms, deploymentHash, decisionsNotSupported, type DeploymentFile, type FormBinding, type DecisionDeployer } from './deployment';
export { compileForm, fieldsOf, type CompiledForm, type FieldSpec, type FormProblem } from './schema';
export { validateSubmission, type FieldError } from './validate';
export { checkPattern, MAX_PATTERN_INPUT, MAX_PATTERN_LENGTH } from './pattern';
export type { FormStore, StoredForm } from './ports';
export { TaskForms } from './task-forms';
export { GROUP_OPTIONS_PREFIX, groupOfOptionsKey, groupOptionGroups, groupOptionsScope, type GroupOption } from './group-options';
