// API keys (issue 13): secret keys for servers and publishable keys for browsers, sent as
// `Authorization: Bearer <key>` (or `X-API-Key`, as Gorse clients do). Keys are compared in constant time:
// SHA-256 digests of the presented key against every configured key's digest, all 32 bytes of every key, so
// neither the length nor the position of a mismatch nor which key matched shows in the timing. The digest is
// computed synchronously (@noble/hashes, pure JS, ~µs for a key): Web Crypto's digest is a thread-pool job on
// Node, and waiting for a pool thread on a busy machine cost up to tens of ms per request (issue 11, edge p99).
// Then authorisation: a secret key is refused when sent from a browser page of another origin (secret keys
// stay server-only); a publishable key only from its origins and only where publishable-policy.ts allows.
// The caller is known downstream (rate limits, logs) by a key id, never by the key itself.
import { sha256 as sha256Bytes } from '@noble/hashes/sha2.js';
import type { Context, MiddlewareHandler } from 'hono';
import type { PublishableKey } from '../config.ts';
import { ApiError } from '../errors.ts';
import { publishableRefusal } from './publishable-policy.ts';

export type KeyKind = 'secret' | 'publishable';

export interface Caller {
  keyId: string;
  kind: KeyKind;
  /** Publishable keys: the origins they may be used from ('self' = the edge's own origin). */
  origins?: readonly string[];
}

interface KeyEntry extends Caller {
  digest: Uint8Array;
}

const encoder = new TextEncoder();

function sha256(s: string): Uint8Array {
  return sha256Bytes(encoder.encode(s));
}

/**
 * Index of the entry whose digest equals `d`, or -1. Visits every byte of every entry and never branches on
 * key material: the work is the same whichever key (or none) matches.
 */
export function findDigest(d: Uint8Array, entries: readonly { digest: Uint8Array }[]): number {
  let found = -1;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!.digest;
    let diff = e.length ^ d.length;
    for (let j = 0; j < 32; j++) diff |= (e[j] ?? 0) ^ (d[j] ?? 0);
    // mask = -1 when diff == 0, else 0 (diff < 2^16 here, so (diff - 1) >> 31 is the sign of diff - 1).
    const mask = (diff - 1) >> 31;
    found = (found & ~mask) | (i & mask);
  }
  return found;
}

/** Resolves a presented key to its caller (null: unknown key). Configured digests are computed once. */
export function keyMatcher(secret: readonly string[], publishable: readonly PublishableKey[]): (presented: string) => Caller | null {
  const all: KeyEntry[] = [
    ...secret.map((k, i) => ({ keyId: `key${i}`, kind: 'secret' as const, digest: sha256(k) })),
    ...publishable.map((p, i) => ({ keyId: `pk${i}`, kind: 'publishable' as const, origins: p.origins, digest: sha256(p.key) })),
  ];
  return (presented) => {
    const i = findDigest(sha256(presented), all);
    if (i < 0) return null;
    const { digest: _, ...caller } = all[i]!;
    return caller;
  };
}

/** The key in Authorization: Bearer <key>, or X-API-Key; undefined when neither is present. */
function presentedKey(c: Context): string | undefined {
  const h = c.req.header('authorization');
  if (h !== undefined) return /^Bearer\s+(\S+)$/i.exec(h)?.[1] ?? '';
  return c.req.header('x-api-key');
}

/** The edge's own origin (what `self` stands for in a publishable key's origins). */
export function selfOrigin(c: Context): string {
  return new URL(c.req.url).origin;
}

/** The page origin of a browser request: Origin, else the origin of Referer (same-origin GETs send no Origin). */
export function requestOrigin(c: Context): string | undefined {
  const o = c.req.header('origin');
  if (o && o !== 'null') return o;
  const r = c.req.header('referer');
  if (!r) return undefined;
  try {
    return new URL(r).origin;
  } catch {
    return undefined;
  }
}

export function originAllowed(origins: readonly string[], origin: string, self: string): boolean {
  return origins.some((o) => o === origin || (o === 'self' && origin === self));
}

export function callerOf(c: Context): Caller | undefined {
  return c.get('caller' as never) as Caller | undefined;
}

export function apiKeyAuth(keys: { apiKeys: readonly string[]; publishableKeys?: readonly PublishableKey[] }): MiddlewareHandler {
  const match = keyMatcher(keys.apiKeys, keys.publishableKeys ?? []);
  return async (c, next) => {
    const key = presentedKey(c);
    if (!key) throw new ApiError(401, 'unauthorized', 'missing API key (Authorization: Bearer <key>)', undefined, { 'www-authenticate': 'Bearer' });
    const caller = match(key);
    if (!caller) throw new ApiError(401, 'unauthorized', 'unknown API key', undefined, { 'www-authenticate': 'Bearer error="invalid_token"' });
    c.set('keyId' as never, caller.keyId as never);
    c.set('caller' as never, caller as never);
    const self = selfOrigin(c);
    if (caller.kind === 'secret') {
      const origin = c.req.header('origin');
      if (origin !== undefined && origin !== self) {
        throw new ApiError(403, 'secret_key_in_browser', 'secret API keys are server-only and refused from web pages of other origins: use a publishable key (pk_...) in the browser');
      }
    } else {
      const origin = requestOrigin(c);
      if (origin === undefined || !originAllowed(caller.origins ?? [], origin, self)) {
        throw new ApiError(403, 'origin_not_allowed', `this publishable key may not be used from ${origin ?? 'a request without Origin or Referer'}; add the origin to its configuration (LLMREC_PUBLISHABLE_KEYS)`);
      }
      const refusal = await publishableRefusal(c);
      if (refusal) throw new ApiError(403, 'forbidden_for_publishable_key', refusal);
    }
    await next();
  };
}
