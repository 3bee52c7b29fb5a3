// Guards for request bodies: a size limit (checked on Content-Length and while reading) and JSON-only
// POSTs, so handlers only ever see bounded, parseable input.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors.ts';

export function limitBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => new ApiError(413, 'payload_too_large', `request body exceeds ${maxBytes} bytes`);
  // Streaming check for bodies without a length (chunked): wraps the body in a counting stream.
  const streaming = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    // Fast path: with a Content-Length the HTTP layer never delivers more than that many bytes, so the header
    // alone decides (and the costly stream re-wrapping of the request is avoided on every call).
    const len = c.req.header('content-length');
    if (len !== undefined && /^\d+$/.test(len) && c.req.header('transfer-encoding') === undefined) {
      if (Number(len) > maxBytes) throw tooLarge();
      return next();
    }
    return streaming(c, next);
  };
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
