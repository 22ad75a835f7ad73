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

/** `?page=&size=` pagination: page from 1, size 1..200. */
export const Pagination = z.object({
  page: z.coerce.number().int().min(1).default(1),
  size: z.coerce.number().int().min(1).max(200).default(50),
});

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
