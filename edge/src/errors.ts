// The ONE place that maps errors to HTTP (STYLE: errors are values users can act on). Bad input -> 400 with
// the list of problems; missing KV -> 503; anything unexpected -> 500 with a request id and no stack trace.
// Internal error text (backend messages, socket errors) never reaches a client: it goes to the logs.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import type { ErrorBody, Problem } from '@llmrec/shared/api/http.ts';
import { KvUnavailableError } from '@llmrec/shared/kv/store.ts';
import { KvValueError } from '@llmrec/shared/kv/typed.ts';

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 500 | 502 | 503;

/** An error with an HTTP status, a machine-readable code and optional per-field problems. */
export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly code: string,
    message: string,
    readonly problems?: Problem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, problems: Problem[]) => new ApiError(400, 'bad_request', message, problems);

/** zod issues -> problems with a dotted path into the body. */
export function zodProblems(err: ZodError, prefix = ''): Problem[] {
  return err.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)', message: i.message }));
}

function body(code: string, message: string, c: Context, problems?: Problem[]): ErrorBody {
  const requestId = c.get('requestId' as never) as string | undefined;
  return { error: code, message, ...(problems ? { problems } : {}), ...(requestId ? { requestId } : {}) };
}

/** Hono onError handler: every thrown error ends here. */
export function toResponse(err: unknown, c: Context): Response {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
    return c.json(body(err.code, err.message, c, err.problems), err.status);
  }
  if (err instanceof KvUnavailableError) {
    // The backend's message (host, port, errno) is for the logs; the client gets a fixed one.
    c.set('detail' as never, err.message as never);
    c.header('retry-after', '5');
    return c.json(body('kv_unavailable', 'the key-value store is unreachable; retry later', c), 503);
  }
  if (err instanceof KvValueError) {
    logError(c, err);
    return c.json(body('kv_corrupt', `a stored value failed validation at ${err.key}; republish the catalog`, c), 500);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ErrorStatus;
    if (status === 400) return c.json(body('bad_request', 'malformed request body', c, [{ path: '(body)', message: err.message || 'malformed JSON' }]), 400);
    if (status === 413) return c.json(body('payload_too_large', err.message || 'request body too large', c), 413);
    return c.json(body('http_error', err.message || `HTTP ${status}`, c), status);
  }
  logError(c, err);
  return c.json(body('internal', 'internal error; the request id identifies it in the logs', c), 500);
}

function logError(c: Context, err: unknown): void {
  const requestId = c.get('requestId' as never) as string | undefined;
  const e = err as Error;
  console.error(JSON.stringify({ level: 'error', requestId, path: c.req.path, error: e?.name, message: e?.message, stack: e?.stack }));
}
