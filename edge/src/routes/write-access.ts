// Which API keys may change the catalog or erase users (issue 11). Today every configured key may. The "web"
// package's publishable (browser) keys must not: its auth middleware is to set the key's scope on the context
// (`c.set('keyScope', 'publishable' | 'secret')`); this check refuses a publishable key with 403. Called first by
// PUT /v1/items, DELETE /v1/items/{id} and DELETE /v1/users/{id}.
import type { Context } from 'hono';
import { ApiError } from '../errors.ts';

export function checkWriteAccess(c: Context): void {
  const scope = c.get('keyScope' as never) as string | undefined;
  if (scope === 'publishable') throw new ApiError(403, 'forbidden', 'publishable keys cannot change the catalog or erase users: use a secret API key');
}
