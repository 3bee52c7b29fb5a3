// POST /v1/explain: why items are recommended (a rationale and the evidence it cites).
import { call, type CallOptions, type Client } from './client.ts';
import type { ExplainRequest, ExplainResponse } from './types.ts';

export function explain(client: Client, req: ExplainRequest, opts?: CallOptions): Promise<ExplainResponse> {
  return call<ExplainResponse>(client, 'POST', '/v1/explain', req, opts);
}
