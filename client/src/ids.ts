// Random ids for events (idempotency keys: a retried POST /v1/events is acknowledged, not applied twice) and
// browser sessions (unguessable: a session id is what reads a session's history). crypto.getRandomValues
// exists in browsers (also on plain-http pages, unlike randomUUID), Node >= 19 and Workers.

/** 22 characters of base64url: 132 random bits. */
export function randomId(prefix = ''): string {
  const b = crypto.getRandomValues(new Uint8Array(17));
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return prefix + btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '').slice(0, 22);
}

export const newEventId = (): string => randomId('e_');
export const newSessionId = (): string => randomId('s_');
