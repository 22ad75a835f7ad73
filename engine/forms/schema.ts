import { createHash } from 'node:crypto';
import { checkExpression } from '../expressions';
import { checkPattern } from './pattern';

/**
 * form-js schemas (the JSON that Camunda Modeler and @bpmn-io/form-js save as `.form`), checked at
 * deploy and reduced to the fields the server validates. We do not run form-js on the server (it is
 * a browser library); this module re-implements the part of its viewer's `Validator` that decides
 * whether submitted data is acceptable.
 */

/** Largest accepted `.form` file (bytes). */
export const MAX_FORM_BYTES = 256 * 1024;
/** Most forms in one deployment. */
export const MAX_FORMS_PER_DEPLOYMENT = 100;
/** Most components (all levels) in one form. */
export const MAX_FORM_COMPONENTS = 500;
/** Deepest nesting of groups / dynamic lists. */
export const MAX_COMPONENT_DEPTH = 8;
/** Deepest JSON nesting of the whole document. */
export const MAX_JSON_DEPTH = 32;

export const FORM_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const KEY_PATTERN = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Components that carry a value under their `key`. */
export const INPUT_TYPES = new Set(['textfield', 'textarea', 'number', 'checkbox', 'checklist', 'radio', 'select', 'taglist', 'datetime']);
/** Components that only show something (no value). */
export const DISPLAY_TYPES = new Set(['text', 'html', 'spacer', 'separator', 'image', 'button', 'iframe', 'table', 'documentPreview']);
/** Components that contain others. */
export const CONTAINER_TYPES = new Set(['group', 'dynamiclist']);
/** Known form-js components the server refuses, with the reason. */
const UNSUPPORTED: Record<string, string> = {
  filepicker: 'file uploads are not stored by this server',
  expression: 'computed expression fields are not evaluated by this server',
};

export type ValidationType = 'email' | 'phone';

/** What the server checks for one field. */
export interface FieldSpec {
  /** The variable name (the component's `key`, or a dynamic list's `path`). */
  key: string;
  type: string;
  label: string | null;
  required: boolean;
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  validationType?: ValidationType;
  /** Static options (select, radio, checklist, taglist). */
  options?: unknown[];
  /** Options read from this variable (form-js `valuesKey`). */
  optionsKey?: string;
  /** `subtype` of a datetime: date, time or datetime. */
  subtype?: 'date' | 'time' | 'datetime';
  decimalDigits?: number;
  /** Serialized as a string (number fields with serializeToString). */
  numberAsString?: boolean;
  /** The client may not set it (disabled, or readonly). */
  locked: boolean;
  /** FEEL conditions (`conditional.hide`) of the field and its containers: hidden when any is true. */
  hide: string[];
  /** Fields of each item of a dynamic list. */
  items?: FieldSpec[];
}

export interface CompiledForm {
  id: string;
  /** The parsed schema, as stored and served. */
  schema: Record<string, unknown>;
  /** Hex SHA-256 of the file's text. */
  sha256: string;
  fields: FieldSpec[];
}

/** A problem found in one form file. */
export interface FormProblem {
  file: string;
  formId?: string;
  message: string;
}

/** Parses and checks one `.form` file. Never throws: problems are returned. */
export function compileForm(file: string, content: string | Uint8Array): { form?: CompiledForm; problems: FormProblem[] } {
  const problems: FormProblem[] = [];
  const bytes = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
  if (bytes > MAX_FORM_BYTES) return { problems: [{ file, message: `the form is ${bytes} bytes; the limit is ${MAX_FORM_BYTES}` }] };
  const text = (typeof content === 'string' ? content : Buffer.from(content).toString('utf8')).replace(/^\uFEFF/, '');
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    return { problems: [{ file, message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  if (jsonDepth(schema) > MAX_JSON_DEPTH) return { problems: [{ file, message: `the JSON is nested deeper than ${MAX_JSON_DEPTH} levels` }] };
  if (!isObject(schema)) return { problems: [{ file, message: 'a form-js schema is a JSON object' }] };
  const id = schema.id;
  if (typeof id !== 'string' || !FORM_ID_PATTERN.test(id)) {
    return { problems: [{ file, message: 'the form needs a top-level "id" (1-128 letters, digits, _ . -, starting with a letter or _): it is the form id camunda:formRef names' }] };
  }
  const at = (message: string) => problems.push({ file, formId: id, message });
  if (schema.type !== 'default') at('not a form-js schema: "type" must be "default"');
  if (!Array.isArray(schema.components)) {
    at('not a form-js schema: "components" must be an array');
    return { problems };
  }
  const counter = { count: 0 };
  const keys = new Set<string>();
  const fields = collect(schema.components, 1, [], counter, keys, at);
  if (counter.count > MAX_FORM_COMPONENTS) at(`the form has ${counter.count} components; at most ${MAX_FORM_COMPONENTS} are accepted`);
  if (problems.length) return { problems };
  return { form: { id, schema, sha256: createHash('sha256').update(text, 'utf8').digest('hex'), fields }, problems };
}

/** Rebuilds the field specs of a stored (already checked) schema. */
export function fieldsOf(schema: Record<string, unknown>): FieldSpec[] {
  const problems: string[] = [];
  const fields = collect(Array.isArray(schema.components) ? schema.components : [], 1, [], { count: 0 }, new Set(), (m) => problems.push(m));
  return fields;
}

function collect(components: unknown[], depth: number, hide: string[], counter: { count: number }, keys: Set<string>, at: (message: string) => void): FieldSpec[] {
  const fields: FieldSpec[] = [];
  if (depth > MAX_COMPONENT_DEPTH) {
    at(`groups and dynamic lists are nested deeper than ${MAX_COMPONENT_DEPTH} levels`);
    return fields;
  }
  for (const raw of components) {
    counter.count++;
    if (counter.count > MAX_FORM_COMPONENTS) return fields;
    if (!isObject(raw) || typeof raw.type !== 'string') {
      at('every component is an object with a "type"');
      continue;
    }
    const type = raw.type;
    const name = `${type} ${typeof raw.id === 'string' ? `"${raw.id}"` : ''}${typeof raw.key === 'string' ? ` (key "${raw.key}")` : ''}`.replace(/\s+/g, ' ').trim();
    if (UNSUPPORTED[type]) {
      at(`component ${name}: ${UNSUPPORTED[type]}`);
      continue;
    }
    if (!INPUT_TYPES.has(type) && !DISPLAY_TYPES.has(type) && !CONTAINER_TYPES.has(type)) {
      at(`component ${name}: unknown component type "${type}" (known: ${[...INPUT_TYPES, ...DISPLAY_TYPES, ...CONTAINER_TYPES].join(', ')})`);
      continue;
    }
    const ownHide = conditionOf(raw, name, at);
    const hideHere = ownHide ? [...hide, ownHide] : hide;
    if (type === 'group') {
      if (raw.path !== undefined && raw.path !== '') at(`component ${name}: a group with a "path" (nested object data) is not supported; leave "path" empty`);
      fields.push(...collect(Array.isArray(raw.components) ? raw.components : [], depth + 1, hideHere, counter, keys, at));
      continue;
    }
    if (type === 'dynamiclist') {
      const path = raw.path;
      if (typeof path !== 'string' || !validKey(path)) {
        at(`component ${name}: a dynamic list needs a "path" that is a plain variable name`);
        continue;
      }
      if (keys.has(path)) at(`component ${name}: the variable "${path}" is used by two fields`);
      keys.add(path);
      const items = collect(Array.isArray(raw.components) ? raw.components : [], depth + 1, [], counter, new Set(), at);
      fields.push({ key: path, type, label: label(raw), required: false, locked: locked(raw), hide: hideHere, items });
      continue;
    }
    if (!INPUT_TYPES.has(type)) continue;
    const key = raw.key;
    if (typeof key !== 'string' || !validKey(key)) {
      at(`component ${name}: an input field needs a "key" that is a plain variable name (letters, digits, _ and $; no dots)`);
      continue;
    }
    if (keys.has(key)) at(`component ${name}: the key "${key}" is used by two fields`);
    keys.add(key);
    fields.push(inputField(raw, type, key, name, hideHere, at));
  }
  return fields;
}

function inputField(raw: Record<string, unknown>, type: string, key: string, name: string, hide: string[], at: (message: string) => void): FieldSpec {
  const field: FieldSpec = { key, type, label: label(raw), required: false, locked: locked(raw), hide };
  const validate = raw.validate === undefined ? {} : raw.validate;
  if (!isObject(validate)) {
    at(`component ${name}: "validate" must be an object`);
    return field;
  }
  for (const [prop, value] of Object.entries(validate)) {
    if (typeof value === 'string' && value.startsWith('=') && prop !== 'pattern') {
      at(`component ${name}: validate.${prop} is a FEEL expression; the server checks only literal values`);
      continue;
    }
    switch (prop) {
      case 'required':
        if (typeof value !== 'boolean') at(`component ${name}: validate.required must be true or false`);
        else field.required = value;
        break;
      case 'min':
      case 'max':
      case 'minLength':
      case 'maxLength':
        if (value === undefined || value === null || value === '') break;
        if (typeof value !== 'number' || !Number.isFinite(value) || ((prop === 'minLength' || prop === 'maxLength') && (!Number.isInteger(value) || value < 0))) {
          at(`component ${name}: validate.${prop} must be a ${prop.endsWith('Length') ? 'non-negative integer' : 'number'}`);
        } else field[prop] = value;
        break;
      case 'pattern': {
        if (value === undefined || value === null || value === '') break;
        const reason = typeof value === 'string' ? checkPattern(value) : 'it must be a string';
        if (reason) at(`component ${name}: validate.pattern refused: ${reason}`);
        else field.pattern = value as string;
        break;
      }
      case 'validationType':
        if (value === 'email' || value === 'phone') field.validationType = value;
        else if (value !== undefined && value !== null && value !== '' && value !== 'custom') at(`component ${name}: validate.validationType must be email, phone or custom`);
        break;
      default:
        break; // form-js ignores unknown validate properties too
    }
  }
  if (['select', 'radio', 'checklist', 'taglist'].includes(type)) {
    if (Array.isArray(raw.values)) {
      const values = raw.values.map((v) => (isObject(v) ? v.value : undefined));
      if (values.some((v) => v === undefined)) at(`component ${name}: every option in "values" needs a "value"`);
      field.options = values;
    } else if (typeof raw.valuesKey === 'string' && raw.valuesKey !== '') {
      field.optionsKey = raw.valuesKey;
    } else if (raw.valuesExpression === undefined) {
      at(`component ${name}: a ${type} needs static "values" or a "valuesKey"`);
    }
  }
  if (type === 'datetime') {
    const subtype = raw.subtype ?? 'date';
    if (subtype !== 'date' && subtype !== 'time' && subtype !== 'datetime') at(`component ${name}: subtype must be date, time or datetime`);
    else field.subtype = subtype;
  }
  if (type === 'number') {
    if (typeof raw.decimalDigits === 'number' && Number.isInteger(raw.decimalDigits) && raw.decimalDigits >= 0) field.decimalDigits = raw.decimalDigits;
    if (raw.serializeToString === true) field.numberAsString = true;
  }
  return field;
}

function conditionOf(raw: Record<string, unknown>, name: string, at: (message: string) => void): string | null {
  const conditional = raw.conditional;
  if (!isObject(conditional) || conditional.hide === undefined || conditional.hide === null || conditional.hide === '') return null;
  const hide = conditional.hide;
  if (typeof hide !== 'string') {
    at(`component ${name}: conditional.hide must be a FEEL expression`);
    return null;
  }
  const expression = hide.startsWith('=') ? hide : `=${hide}`;
  const problem = checkExpression(expression);
  if (problem) at(`component ${name}: conditional.hide: ${problem}`);
  return problem ? null : expression;
}

function locked(raw: Record<string, unknown>): boolean {
  return raw.disabled === true || (raw.readonly !== undefined && raw.readonly !== false && raw.readonly !== '');
}

function label(raw: Record<string, unknown>): string | null {
  return typeof raw.label === 'string' && raw.label.trim() ? raw.label : null;
}

function validKey(key: string): boolean {
  return KEY_PATTERN.test(key) && !RESERVED_KEYS.has(key);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Iterative JSON depth (no recursion on untrusted input). */
function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) max = d;
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}
