import { z } from 'zod';
import { EngineError, EngineErrorCode } from '../../engine';

/**
 * Parses untrusted input with a zod schema; a mismatch becomes EngineError(INVALID_REQUEST)
 * whose message names each offending field.
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.infer<S> {
  // A missing body counts as an empty object for object schemas; a missing scalar stays missing.
  const input = value === undefined && schema instanceof z.ZodObject ? {} : value;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ field: i.path.join('.') || '(root)', message: i.message }));
  const detail = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  throw new EngineError(EngineErrorCode.InvalidRequest, `invalid ${what}: ${detail}`, { details: { issues } });
}

export const uuid = z.string().uuid('must be a UUID');

/** Largest page number: (page - 1) × size stays far inside PostgreSQL's int4 OFFSET. */
export const MAX_PAGE = 1_000_000;
/** Largest page size. */
export const MAX_PAGE_SIZE = 200;

/** `?page=&size=` pagination: page 1..1,000,000, size 1..200. */
export const Pagination = z.object({
  page: z.coerce.number().int().min(1).max(MAX_PAGE).default(1),
  size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
});

/**
 * An ISO 8601 date or date-time (`2026-11-20`, `2026-11-20T16:00:00+01:00`) between the years
 * 1 and 9999: what PostgreSQL `timestamptz` and JavaScript `Date` both hold.
 */
export const isoDateInRange = z
  .string()
  .max(64)
  .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && Number.isFinite(Date.parse(s)), { message: 'must be an ISO 8601 date or date-time' })
  .refine((s) => {
    const t = Date.parse(s);
    return t >= Date.parse('0001-01-01T00:00:00Z') && t <= Date.parse('9999-12-31T23:59:59.999Z');
  }, { message: 'must lie between the years 1 and 9999' });

export interface Page<T> {
  items: T[];
  page: number;
  size: number;
  total: number;
}

/** Parses an id path parameter; a malformed id is simply not found (nothing by that id can exist). */
export function idParam(value: string, what: 'process definition' | 'process instance' | 'task'): string {
  if (uuid.safeParse(value).success) return value;
  const code = what === 'task' ? EngineErrorCode.TaskNotFound : what === 'process instance' ? EngineErrorCode.InstanceNotFound : EngineErrorCode.DefinitionNotFound;
  throw new EngineError(code, `no ${what} with id "${value}"`);
}
