/**
 * What every call to the API shares: problem+json errors ({@link ApiError}) and reading an
 * answer. Kept apart from `client.ts` so that the session (which `client.ts` uses) can use it too.
 */

export interface DefinitionProblem {
  elementId?: string;
  rule: string;
  message: string;
}

/** An RFC 9457 problem+json body, as every error answer of the API is. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  problems?: DefinitionProblem[];
}

/** A non-2xx answer. `problem` is the parsed problem+json body (or a synthesised one). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }

  get status(): number {
    return this.problem.status;
  }
}

/** A response body with its HTTP status (the deploy answer differs between 200 and 201). */
export interface Answer<T> {
  status: number;
  body: T;
}

export const ACCEPT = 'application/json, application/problem+json';

/** Reads an answer; a non-2xx answer is thrown as an {@link ApiError}. */
export async function readAnswer<T>(response: Response): Promise<Answer<T>> {
  const text = await response.text();
  const type = response.headers.get('Content-Type') ?? '';
  let parsed: unknown = text;
  if (text && type.includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      // e.g. a proxy's broken answer: kept as text, reported below when not ok
    }
  }
  if (!response.ok) throw new ApiError(toProblem(response, parsed));
  return { status: response.status, body: parsed as T };
}

function toProblem(response: Response, body: unknown): Problem {
  if (body && typeof body === 'object' && 'status' in body && 'detail' in body) return body as Problem;
  return {
    type: 'about:blank',
    title: response.statusText || 'Error',
    status: response.status,
    detail: typeof body === 'string' && body ? body.slice(0, 500) : `HTTP ${response.status}`,
    code: `HTTP_${response.status}`,
  };
}
