// Browser sessions (issue 13, publishable keys): a session is stored as a user of its own whose id lives in a
// namespace no dataset user id uses, so a session id can never name, read or write a real user's history.
// Events and recommendations for sessions feed the same online learning path as users.
import type { EventIn } from './http.ts';

export const SESSION_USER_PREFIX = 'session:';

/** The internal user id (KV history, event log) of a browser session. */
export function sessionUserId(sessionId: string): string {
  return `${SESSION_USER_PREFIX}${sessionId}`;
}

/** The user an event belongs to: its userId, or its session's internal id. */
export function eventUserId(e: Pick<EventIn, 'userId' | 'sessionId'>): string {
  if (e.userId !== undefined) return e.userId;
  if (e.sessionId !== undefined) return sessionUserId(e.sessionId);
  throw new TypeError('an event has a userId or a sessionId (the schema enforces one)');
}
