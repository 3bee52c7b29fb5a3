// Guards for request bodies: a size limit (checked on Content-Length and while reading) and JSON-only
// POSTs, so handlers only ever see bounded, parseable input.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors.ts';

/** `overrides`: a larger (or smaller) limit for one method + path, e.g. PUT /v1/items whose body carries images. */
export function limitBody(maxBytes: number, overrides: readonly { method: string; path: string; maxBytes: number }[] = []): MiddlewareHandler {
  const limiter = (max: number) => {
    const tooLarge = () => new ApiError(413, 'payload_too_large', `request body exceeds ${max} bytes`);
    // Streaming check for bodies without a length (chunked): wraps the body in a counting stream.
    const streaming = bodyLimit({
      maxSize: max,
      onError: () => {
        throw tooLarge();
      },
    });
    return { tooLarge, streaming, max };
  };
  const base = limiter(maxBytes);
  const special = overrides.map((o) => ({ ...o, l: limiter(o.maxBytes) }));
  return async (c, next) => {
    const l = special.find((o) => o.method === c.req.method && o.path === c.req.path)?.l ?? base;
    // Fast path: with a Content-Length the HTTP layer never delivers more than that many bytes, so the header
    // alone decides (and the costly stream re-wrapping of the request is avoided on every call).
    const len = c.req.header('content-length');
    if (len !== undefined && /^\d+$/.test(len) && c.req.header('transfer-encoding') === undefined) {
      if (Number(len) > l.max) throw l.tooLarge();
      return next();
    }
    return l.streaming(c, next);
  };
}

export function jsonOnly(): MiddlewareHandler {
  return async (c, next) => {
    // PUT and PATCH only when they carry a body (PUT /v1/items, Gorse PATCH /api/item/{id} do): a bodiless one (Gorse
    // PUT /api/item/{id}/category/{c}: no body, Content-Length 0) goes on to auth and its route.
    const len = c.req.header('content-length');
    const sent = len !== undefined ? Number(len) > 0 : c.req.header('transfer-encoding') !== undefined || c.req.raw.body !== null;
    const hasBody = (c.req.method === 'PUT' || c.req.method === 'PATCH') && sent;
    if (c.req.method === 'POST' || hasBody) {
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
