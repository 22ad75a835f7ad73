import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { EngineError, EngineErrorCode } from '../../engine';
import { expressProblemHandler } from './problem.filter';

/**
 * Text PostgreSQL cannot store, refused at the edge with 400 naming the field: a NUL character
 * (`invalid byte sequence for encoding "UTF8": 0x00`; jsonb refuses `\u0000` too) and a lone
 * UTF-16 surrogate (`"\ud800"`: jsonb refuses the escape, text columns would store U+FFFD and so
 * silently change the value). JSON nesting is bounded too, so no later walk can overflow the stack.
 */
export const INPUT_LIMITS = Object.freeze({
  /** Deepest accepted nesting of a JSON body or query value. */
  maxDepth: 32,
});

// eslint-disable-next-line no-control-regex
const UNSAFE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with a string, or null. */
export function unsafeText(text: string): string | null {
  const match = UNSAFE.exec(text);
  if (!match) return null;
  return match[0] === '\u0000' ? 'contains a NUL character (U+0000)' : 'contains a lone UTF-16 surrogate (not valid Unicode text)';
}

/**
 * Walks a JSON-like value without recursion and answers the first unsafe string or key, with
 * its path (`variables.note`, `items[2]`), or a value nested deeper than the limit.
 */
export function findUnsafeInput(value: unknown, root: string): { field: string; problem: string } | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const problem = unsafeText(current);
      if (problem) return { field: path, problem };
      continue;
    }
    if (current === null || typeof current !== 'object' || Buffer.isBuffer(current)) continue;
    if (depth >= INPUT_LIMITS.maxDepth) return { field: path, problem: `is nested deeper than ${INPUT_LIMITS.maxDepth} levels` };
    if (Array.isArray(current)) {
      current.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const [key, item] of Object.entries(current as Record<string, unknown>)) {
      const keyProblem = unsafeText(key);
      // eslint-disable-next-line no-control-regex
      const shown = keyProblem ? JSON.stringify(key.replace(/[\u0000\ud800-\udfff]/g, '\ufffd')) : key;
      const child = path ? `${path}.${shown}` : shown;
      if (keyProblem) return { field: child, problem: `has a name that ${keyProblem}` };
      stack.push({ value: item, path: child, depth: depth + 1 });
    }
  }
  return null;
}

/** The text of an uploaded file or raw body (UTF-16 with a byte-order mark, else UTF-8). */
function decodeUpload(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return bytes.toString('latin1');
}

/** The first NUL in an upload, as "line L, column C", or null. */
function nulInUpload(bytes: Buffer): string | null {
  const text = decodeUpload(bytes);
  const at = text.indexOf('\u0000');
  if (at === -1) return null;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return `line ${line}, column ${at - before.lastIndexOf('\n')}`;
}

function refuse(field: string, problem: string): EngineError {
  return new EngineError(EngineErrorCode.InvalidRequest, `${field} ${problem}`, { details: { field } });
}

function checkUpload(bytes: Buffer, field: string): void {
  const at = nulInUpload(bytes);
  if (at) throw refuse(field, `contains a NUL character at ${at}`);
}

/** Throws EngineError(INVALID_REQUEST) naming the first unsafe field of the request's body and query. */
export function assertSafeRequest(req: Request): void {
  const query = findUnsafeInput(req.query, 'query');
  if (query) throw refuse(query.field, query.problem);
  if (Buffer.isBuffer(req.body)) {
    checkUpload(req.body, 'the request body');
    return;
  }
  const body = findUnsafeInput(req.body, '');
  if (body) throw refuse(body.field || 'the request body', body.problem);
}

/**
 * Express middleware, after the body parsers: refuses unsafe text in the JSON body, the raw
 * (XML) body and the query string before any route sees it. Multipart fields and files are
 * parsed later (multer, inside the route) and checked by {@link SafeInputPipe}.
 */
export function rejectUnsafeInput(req: Request, res: Response, next: NextFunction): void {
  try {
    assertSafeRequest(req);
  } catch (error) {
    expressProblemHandler(error, req, res, next);
    return;
  }
  next();
}

/**
 * Global pipe: every route argument (path parameters by name, the body, the query, uploaded
 * files and their names) passes the same check.
 */
@Injectable()
export class SafeInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const where = metadata.type === 'param' ? `path parameter ${metadata.data ?? ''}`.trim() : metadata.type === 'query' ? 'query' : metadata.type === 'body' ? '' : (metadata.data ?? '');
    if (isUpload(value) || (Array.isArray(value) && value.length > 0 && value.every(isUpload))) {
      for (const file of Array.isArray(value) ? value : [value]) checkFile(file);
      return value;
    }
    if (metadata.type === 'custom' && !isPlainData(value)) return value;
    const found = findUnsafeInput(value, metadata.type === 'query' && metadata.data ? `query.${metadata.data}` : where);
    if (found) throw refuse(found.field || 'the request body', found.problem);
    return value;
  }
}

interface Upload {
  fieldname: string;
  originalname: string;
  buffer?: Buffer;
}

function isUpload(value: unknown): value is Upload {
  return typeof value === 'object' && value !== null && typeof (value as Upload).fieldname === 'string' && typeof (value as Upload).originalname === 'string';
}

function checkFile(file: Upload): void {
  const field = `file field "${unsafeText(file.fieldname) ? '\ufffd' : file.fieldname}"`;
  const name = unsafeText(file.originalname) ?? unsafeText(file.fieldname);
  if (name) throw refuse(field, `has a file or field name that ${name}`);
  if (file.buffer) checkUpload(file.buffer, `${field} (${file.originalname})`);
}

/** Strings, arrays and plain objects: what a custom decorator may hand over from the request. */
function isPlainData(value: unknown): boolean {
  if (typeof value === 'string' || Array.isArray(value)) return true;
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
