// Recommendations for a browser session (issue 13): the session's events form its history (stored as the
// internal user sessionUserId(id), shared/src/api/session.ts), ranked by the same recommend use case as a
// user, so each click moves the next ranking (online adaptation). A session without events yet gets the
// published popular list: cold start, not degraded.
import type { RecommendRequest, RecommendResponse } from '@llmrec/shared/api/http.ts';
import { sessionUserId } from '@llmrec/shared/api/session.ts';
import { degradedAnswer } from '../degrade.ts';
import { ApiError } from '../errors.ts';
import { recommend, type RecommendDeps, type RecommendOutcome } from '../recommend.ts';

export async function recommendSession(deps: RecommendDeps, req: RecommendRequest & { sessionId: string }, requestId: string): Promise<RecommendOutcome & { coldStart?: true }> {
  const { sessionId, ...rest } = req;
  try {
    const out = await recommend(deps, { ...rest, userId: sessionUserId(sessionId) }, requestId);
    return { ...out, body: { ...out.body, userId: null, sessionId } };
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'unknown_user')) throw err;
    return { body: { ...(await popularAnswer(deps, { requestId, k: req.k, candidates: req.candidates ?? null })), sessionId }, workerMs: 0, coldStart: true };
  }
}

/** The published popular list (restricted to candidates): the cold-start answer, not degraded. */
export async function popularAnswer(deps: Pick<RecommendDeps, 'store' | 'catalog'>, inp: { requestId: string; k: number; candidates: readonly string[] | null }): Promise<RecommendResponse> {
  const cat = await deps.catalog.published();
  if (!cat) throw new ApiError(503, 'not_published', 'no catalog has been published to this store yet (run `llmrec publish`)');
  const { degraded: _, reason: __, ...popular } = await degradedAnswer(deps, cat, { ...inp, userId: null, exclude: new Set(), reason: '' });
  return { ...popular, degraded: false };
}

/** The internal user whose stored history a request reads (explanations), or null for recentItems. */
export function requestUserId(req: Pick<RecommendRequest, 'userId' | 'sessionId'>): string | null {
  return req.userId ?? (req.sessionId !== undefined ? sessionUserId(req.sessionId) : null);
}
