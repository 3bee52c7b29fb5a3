// What a publishable key may do (issue 13): a DEFAULT-DENY table of route + method, each with a check of the
// body. Only anonymous-session reads and session-tagged events are listed; every other route (user lookups,
// item writes, erasure, Gorse routes, routes added later) is refused for publishable keys without having to
// remember them here. Bodies are read raw (the route's zod validator still runs after and answers 400).
import type { Context } from 'hono';

export interface PolicyRule {
  method: string;
  /** Matched against the whole path. */
  path: RegExp;
  /** Why a body is refused (null = allowed); absent = no body check. */
  body?: (body: unknown) => string | null;
}

const object = (b: unknown): Record<string, unknown> | null => (b !== null && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : null);

/** Recommend/explain: an anonymous session (recentItems / history / sessionId), never a userId. */
function noUserId(b: unknown): string | null {
  const o = object(b);
  if (o && 'userId' in o) return 'publishable keys cannot ask about a userId: send sessionId or recentItems (use a secret key on your server for user lookups)';
  return null;
}

/** Events: every event carries the same sessionId and no userId (one browser session per request). */
function sessionEvents(b: unknown): string | null {
  const o = object(b);
  if (!o) return null;
  const events = Array.isArray(o.events) ? o.events : [o];
  const sessions = new Set<unknown>();
  for (const e of events) {
    const ev = object(e);
    if (!ev) return null;
    if ('userId' in ev) return 'publishable keys post events for a sessionId, never a userId';
    if (!('sessionId' in ev)) return 'publishable keys post events tagged with a sessionId';
    sessions.add(ev.sessionId);
  }
  if (sessions.size > 1) return 'publishable keys post events of one session per request';
  if (events.length > MAX_SESSION_EVENTS) return `publishable keys post at most ${MAX_SESSION_EVENTS} events per request`;
  return null;
}

export const MAX_SESSION_EVENTS = 50;

export const PUBLISHABLE_RULES: readonly PolicyRule[] = [
  { method: 'POST', path: /^\/v1\/recommend$/, body: noUserId },
  { method: 'POST', path: /^\/v1\/explain$/, body: noUserId },
  { method: 'POST', path: /^\/v1\/events$/, body: sessionEvents },
  { method: 'GET', path: /^\/v1\/items\/[^/]+$/ },
];

/** The rule for (method, path), or undefined: refused. */
export function publishableRule(method: string, path: string, rules: readonly PolicyRule[] = PUBLISHABLE_RULES): PolicyRule | undefined {
  return rules.find((r) => r.method === method && r.path.test(path));
}

/** Null when a publishable key may make this request, else the reason it may not. */
export async function publishableRefusal(c: Context, rules: readonly PolicyRule[] = PUBLISHABLE_RULES): Promise<string | null> {
  const rule = publishableRule(c.req.method, c.req.path, rules);
  if (!rule) return `publishable keys may not call ${c.req.method} ${c.req.path} (only session recommendations, explanations, item reads and session events)`;
  if (!rule.body) return null;
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return null; // malformed JSON: the route's validator answers 400
  }
  return rule.body(body);
}
