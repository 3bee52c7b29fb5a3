// Which API keys may change the catalog or erase users (issue 11): secret keys only. The auth middleware's
// default-deny policy for publishable (browser) keys (middleware/publishable-policy.ts) already refuses them on
// these routes; this check is the routes' own guard, so a later change to that policy cannot open them. Called
// first by PUT /v1/items, DELETE /v1/items/{id} and DELETE /v1/users/{id}.
import type { Context } from 'hono';
import { ApiError } from '../errors.ts';
import { callerOf } from '../middleware/auth.ts';

export function checkWriteAccess(c: Context): void {
  if (callerOf(c)?.kind === 'publishable') throw new ApiError(403, 'forbidden_for_publishable_key', 'publishable keys cannot change the catalog or erase users: use a secret API key');
}
