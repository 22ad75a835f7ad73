/**
 * Deploy-time compiler and validator: BPMN bytes in, a checked, serialized definition out, or one
 * `EngineError(InvalidDefinition)` listing every problem with its element id and rule.
 */
export { compileDefinition, validateDefinition, type ValidationResult, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, type CompileOptions, type CompiledDefinition } from './compile';
export { decodeBpmnBytes } from './decode';
export { loadSourceContext } from './engine-load';
export { LINT_RULES } from './lint';
export { moddleExtensions } from './moddle';
