// Request ids: taken from the caller's x-request-id when it is sane, else generated; echoed on the response,
// forwarded to the worker and written in every log line (request path tracing).
import type { MiddlewareHandler } from 'hono';
import { REQUEST_ID_HEADER } from '@llmrec/shared/api/wire.ts';

const SANE = /^[A-Za-z0-9_.:-]{1,128}$/;

export function requestId(): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.header(REQUEST_ID_HEADER);
    const id = given && SANE.test(given) ? given : crypto.randomUUID();
    c.set('requestId' as never, id as never);
    c.header(REQUEST_ID_HEADER, id);
    await next();
  };
}
