// Shared route pieces: the Hono env of the edge app (per-request variables) and the documented error responses.
import { ErrorBody } from '@llmrec/shared/api/http.ts';

export type EdgeEnv = {
  /**
   * `reason`: the degraded code of the answer; `detail`: what went wrong underneath (socket error, backend
   * message), written to the request's log line only, never to the client.
   */
  Variables: { requestId: string; keyId: string; workerMs: number; degraded: boolean; reason: string | undefined; detail: string | undefined };
};

export const errorResponses = {
  400: { description: 'Bad input: the body lists every problem', content: { 'application/json': { schema: ErrorBody } } },
  401: { description: 'Missing or unknown API key', content: { 'application/json': { schema: ErrorBody } } },
  413: { description: 'Body too large', content: { 'application/json': { schema: ErrorBody } } },
  415: { description: 'Body is not JSON', content: { 'application/json': { schema: ErrorBody } } },
  429: { description: 'Rate limit exceeded for this API key (Retry-After)', content: { 'application/json': { schema: ErrorBody } } },
  503: { description: 'Key-value store unreachable, or nothing published yet', content: { 'application/json': { schema: ErrorBody } } },
} as const;
