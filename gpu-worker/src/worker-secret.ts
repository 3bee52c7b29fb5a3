// The edge<->worker shared secret (request path, step 4: only the edge may ask the worker to score). Compared
// on SHA-256 digests with crypto.timingSafeEqual, so the time taken says nothing about how much of a guess
// was right, not even its length. A worker without a secret accepts any caller, which is only tolerable when
// nothing but this machine can reach it: startWorker and the configuration refuse a non-loopback bind then.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { WORKER_SECRET_HEADER } from '@llmrec/shared/api/wire.ts';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when `given` equals the non-empty `expected`, in time independent of where they differ. */
export function secretMatches(given: string | undefined, expected: string): boolean {
  if (expected.length === 0) return false;
  // Always hash and compare (even for a missing header) so a miss costs the same as a near miss.
  return timingSafeEqual(digest(given ?? ''), digest(expected));
}

/** Bind addresses only this machine can reach: localhost, 127.0.0.0/8, ::1 (also IPv4-mapped). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  if (isIP(v4) === 4) return v4.split('.')[0] === '127';
  return isIP(h) === 6 && /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(h);
}

/** Refuses (throws) a configuration that would expose an unauthenticated worker beyond this machine. */
export function assertSecretForHost(host: string, secret: string | undefined): void {
  if (!isLoopbackHost(host) && !secret) {
    throw new Error(`refusing to listen on ${host} without a worker secret: set LLMREC_WORKER_SECRET (the edge sends it), or bind 127.0.0.1`);
  }
}

/** Middleware: 401 unless the request carries the secret; no check when the worker runs without one (loopback only). */
export function requireWorkerSecret(secret: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (secret && !secretMatches(c.req.header(WORKER_SECRET_HEADER), secret)) return c.json({ error: 'unauthorized', message: 'bad or missing worker secret' }, 401);
    await next();
  };
}
