// POST /v1/recommend: ranked items for a user (servers), a browser session (sessionId) or an anonymous list
// of recent items. The answer says whether it is `degraded` and where it came from (`source`: worker,
// cache, popular): show it rather than hide it.
import { call, type CallOptions, type Client } from './client.ts';
import type { RecommendRequest, RecommendResponse } from './types.ts';

export function recommend(client: Client, req: RecommendRequest, opts?: CallOptions): Promise<RecommendResponse> {
  return call<RecommendResponse>(client, 'POST', '/v1/recommend', req, opts);
}
