import { evaluateExpression } from '../expressions';
import { MAX_PATTERN_INPUT, matchesPattern } from './pattern';
import { isObject, type FieldSpec } from './schema';

/** One refused field: `field` is the variable name (`list[0].key` inside a dynamic list). */
export interface FieldError {
  field: string;
  message: string;
}

/** Most items in a dynamic list. */
export const MAX_LIST_ITEMS = 1000;

// form-js's email and phone checks (run, like form patterns, on the linear-time matcher).
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const PHONE = /^(\+|00)[1-9][0-9]{5,14}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$/;

/**
 * Checks the variables submitted with a task against its form, the way form-js's viewer would,
 * on the server:
 *  - every submitted key must be a field of the form (extra variables are refused);
 *  - disabled and readonly fields may not be set by the client (a value equal to the current one,
 *    which a form-js client sends back, is accepted);
 *  - the value must have the field's type (number: a finite number; checkbox: a boolean;
 *    textfield/textarea: a string; select/radio: one of the options; checklist/taglist: an array
 *    of options; datetime: an ISO date, time or date-time per subtype);
 *  - `validate`: required (the submission must carry a non-empty value, as a form-js client sends
 *    it; a disabled or readonly field is checked on its current value; skipped while the field is
 *    hidden by `conditional.hide`), min, max, minLength, maxLength,
 *    pattern, validationType email/phone.
 * Answers one error per field (its first problem); an empty list means valid.
 */
export function validateSubmission(fields: FieldSpec[], submitted: Record<string, unknown>, current: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const known = new Map(fields.map((f) => [f.key, f]));
  for (const key of Object.keys(submitted)) {
    if (!known.has(key)) errors.push({ field: key, message: 'is not a field of this form' });
  }
  const merged = { ...current, ...submitted };
  for (const field of fields) {
    const has = Object.prototype.hasOwnProperty.call(submitted, field.key);
    const message = checkField(field, has, submitted[field.key], current[field.key], merged, '');
    if (message) errors.push({ field: field.key, message });
    if (has && field.items && Array.isArray(submitted[field.key])) {
      (submitted[field.key] as unknown[]).forEach((item, i) => {
        if (!isObject(item)) return;
        const itemKnown = new Set(field.items!.map((f) => f.key));
        for (const k of Object.keys(item)) if (!itemKnown.has(k)) errors.push({ field: `${field.key}[${i}].${k}`, message: 'is not a field of this list' });
        for (const child of field.items!) {
          const childHas = Object.prototype.hasOwnProperty.call(item, child.key);
          const m = checkField(child, childHas, item[child.key], undefined, { ...merged, ...item }, `${field.key}[${i}].`);
          if (m) errors.push({ field: `${field.key}[${i}].${child.key}`, message: m });
        }
      });
    }
  }
  return errors;
}

function checkField(field: FieldSpec, has: boolean, value: unknown, currentValue: unknown, scope: Record<string, unknown>, _prefix: string): string | null {
  if (has && field.locked && JSON.stringify(value) !== JSON.stringify(currentValue)) return 'is read-only in this form';
  const hidden = field.hide.some((expression) => isHidden(expression, scope));
  // Required asks the person completing the task: a value left by someone else (an earlier task, another
  // iteration of a multi-instance vote) does not count. A locked field is checked on its current value.
  const effective = has ? value : field.locked ? currentValue : undefined;
  if (field.required && !hidden && isEmpty(field, effective)) return 'is required';
  if (!has || value === null || value === undefined || value === '') return null;
  return typeProblem(field, value, scope) ?? ruleProblem(field, value);
}

function isHidden(expression: string, scope: Record<string, unknown>): boolean {
  try {
    return evaluateExpression(expression, scope) === true;
  } catch {
    return false; // a condition that cannot be evaluated does not hide the field
  }
}

function isEmpty(field: FieldSpec, value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (field.type === 'checkbox' && value === false) return true;
  return Array.isArray(value) && value.length === 0;
}

function typeProblem(field: FieldSpec, value: unknown, scope: Record<string, unknown>): string | null {
  switch (field.type) {
    case 'textfield':
    case 'textarea':
      return typeof value === 'string' ? null : 'must be a string';
    case 'number': {
      const n = field.numberAsString && typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return 'must be a number';
      if (field.decimalDigits !== undefined && decimals(n) > field.decimalDigits) return `must have at most ${field.decimalDigits} decimal digits`;
      return null;
    }
    case 'checkbox':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'select':
    case 'radio': {
      const options = optionsOf(field, scope);
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return 'must be one of the options';
      return options && !options.some((o) => o === value) ? `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}` : null;
    }
    case 'checklist':
    case 'taglist': {
      if (!Array.isArray(value)) return 'must be a list of options';
      const options = optionsOf(field, scope);
      const bad = value.find((v) => (typeof v !== 'string' && typeof v !== 'number') || (options && !options.some((o) => o === v)));
      return bad === undefined ? null : `contains ${JSON.stringify(bad)}, which is not one of the options`;
    }
    case 'datetime':
      return dateProblem(field.subtype ?? 'date', value);
    case 'dynamiclist':
      if (!Array.isArray(value) || value.some((item) => !isObject(item))) return 'must be a list of objects';
      return value.length > MAX_LIST_ITEMS ? `has more than ${MAX_LIST_ITEMS} items` : null;
    default:
      return null;
  }
}

function ruleProblem(field: FieldSpec, value: unknown): string | null {
  const n = field.type === 'number' ? Number(value) : null;
  if (n !== null && field.min !== undefined && n < field.min) return `must be at least ${field.min}`;
  if (n !== null && field.max !== undefined && n > field.max) return `must be at most ${field.max}`;
  if (typeof value !== 'string') return null;
  // form-js trims for the length checks
  if (field.minLength !== undefined && value.trim().length < field.minLength) return `must have at least ${field.minLength} characters`;
  if (field.maxLength !== undefined && value.trim().length > field.maxLength) return `must have at most ${field.maxLength} characters`;
  if (field.pattern !== undefined) {
    if (value.length > MAX_PATTERN_INPUT) return `is longer than ${MAX_PATTERN_INPUT} characters, the most a pattern is checked on`;
    if (!matchesPattern(field.pattern, value)) return `must match the pattern ${field.pattern}`;
  }
  if (field.validationType === 'email' && (value.length > 254 || !matchesPattern(EMAIL.source, value))) return 'must be a valid email address';
  if (field.validationType === 'phone' && (value.length > 64 || !matchesPattern(PHONE.source, value.replace(/[\s-]/g, '')))) return 'must be a valid international phone number (e.g. +4930664040900)';
  return null;
}

function optionsOf(field: FieldSpec, scope: Record<string, unknown>): unknown[] | null {
  if (field.options) return field.options;
  if (!field.optionsKey) return null; // valuesExpression: not evaluated, any option accepted
  const source = scope[field.optionsKey];
  if (!Array.isArray(source)) return null;
  return source.map((o) => (isObject(o) ? o.value : o));
}

function dateProblem(subtype: 'date' | 'time' | 'datetime', value: unknown): string | null {
  if (typeof value !== 'string') return `must be an ISO ${subtype} string`;
  if (subtype === 'time') return TIME.test(value) ? null : 'must be a time like 14:30 (ISO 8601)';
  const re = subtype === 'date' ? DATE : DATETIME;
  if (!re.test(value)) return subtype === 'date' ? 'must be a date like 2026-12-31 (ISO 8601)' : 'must be a date-time like 2026-12-31T14:30Z (ISO 8601)';
  const d = new Date(subtype === 'date' ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime()) || (subtype === 'date' && d.toISOString().slice(0, 10) !== value)) return `is not a valid ${subtype}`;
  return null;
}

function decimals(n: number): number {
  const s = String(n);
  if (s.includes('e-')) return Number(s.split('e-')[1]) + (s.split('e-')[0]!.split('.')[1]?.length ?? 0);
  return s.split('.')[1]?.length ?? 0;
}
