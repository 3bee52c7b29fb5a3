// Guards for request bodies: a size limit (checked on Content-Length and while reading) and JSON-only
// POSTs, so handlers only ever see bounded, parseable input.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors.ts';

export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `request body exceeds ${maxBytes} bytes`);
    },
  });
}

export function jsonOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'POST') {
      const ct = c.req.header('content-type') ?? '';
      if (!/^application\/json\b/i.test(ct)) {
        throw new ApiError(415, 'unsupported_media_type', 'send the body as JSON (Content-Type: application/json)', [
          { path: '(headers).content-type', message: `expected application/json, got ${ct ? JSON.stringify(ct.slice(0, 80)) : 'none'}` },
        ]);
      }
    }
    await next();
  };
}
