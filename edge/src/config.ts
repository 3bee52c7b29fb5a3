// Edge configuration: read once at start from the runtime's environment (process.env on Node, bindings on
// Workers), validated with zod. Everything tunable about the request path lives here.
import { z } from 'zod';
import { API_LIMITS } from '@llmrec/shared/api/http.ts';

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

export const EdgeConfig = z.object({
  /** Bearer keys accepted on every route but /healthz (and the docs). */
  apiKeys: z.array(z.string().min(8, 'API keys need at least 8 characters')).min(1, 'at least one API key is required'),
  /** Base URL of the GPU worker, e.g. http://127.0.0.1:8788. */
  workerUrl: z.string().url(),
  /** Shared secret edge -> worker (never one of the public API keys). */
  workerSecret: z.string().min(8),
  /** Worker call budget; past it the edge answers degraded. */
  workerTimeoutMs: z.number().int().min(1).max(60_000).default(1500),
  /** Circuit breaker: after `failures` consecutive worker failures, skip the worker for `openMs` (0 disables). */
  breaker: z.object({ failures: z.number().int().min(0), openMs: z.number().int().min(1) }).default({ failures: 3, openMs: 1000 }),
  /**
   * Edge-side retrieval over PQ latents when the request has no candidates and the catalog has at least
   * `minItems` items: the top `depth` by ADC become the candidate segment (smaller catalogs: the worker ranks all).
   */
  retrieval: z.object({ minItems: z.number().int().min(0), depth: z.number().int().min(1).max(5000) }).default({ minItems: 5000, depth: 300 }),
  /**
   * Re-rank the worker's top `llmRerank` items with the frozen LLM (worker POST /llm/rank, fused score);
   * 0 = off. On any LLM failure the latent ranking is kept.
   */
  llmRerank: z.number().int().min(0).max(100).default(0),
  llmTimeoutMs: z.number().int().min(1).default(5000),
  /** History items sent to the worker (the user encoder's window). */
  maxHistory: z.number().int().min(1).max(512).default(50),
  /** Entries kept in a user's recent history list in KV. */
  historyMaxLen: z.number().int().min(1).max(10_000).default(200),
  /** How long the published pointer and the item index are cached in the isolate/process. */
  catalogTtlMs: z.number().int().min(0).default(5_000),
  /** How long last good recommendations are kept for degraded answers. */
  cacheTtlSec: z.number().int().min(1).default(86_400),
  /**
   * Event time bounds (ms): `ts` more than `maxFutureMs` ahead of the edge clock (client clock skew) or before
   * `minTs` is refused with 400, so one event cannot move the adapter job's windows or statistics into the
   * future. Default: 5 minutes; 2000-01-01T00:00:00Z (older data is loaded with `llmrec publish`, not the API).
   */
  eventTime: z.object({ maxFutureMs: z.number().int().min(0), minTs: z.number().int().min(0) }).default({ maxFutureMs: 300_000, minTs: 946_684_800_000 }),
  /** Requests per window per API key. */
  rateLimit: z.object({ requests: z.number().int().min(1), windowSec: z.number().int().min(1) }).default({ requests: 6000, windowSec: 60 }),
  maxBodyBytes: z.number().int().min(1024).default(API_LIMITS.maxBodyBytes),
  /** Per-request JSON log lines on stdout. */
  log: z.enum(['json', 'off']).default('json'),
});
export type EdgeConfig = z.infer<typeof EdgeConfig>;
export type EdgeConfigInput = z.input<typeof EdgeConfig>;

const intStr = z.coerce.number().int();

/** Builds the config from environment variables (LLMREC_*); throws with every problem listed. */
export function edgeConfigFromEnv(env: Record<string, string | undefined>): EdgeConfig {
  const raw = {
    apiKeys: env.LLMREC_API_KEYS !== undefined ? csv.parse(env.LLMREC_API_KEYS) : env.LLMREC_API_KEY !== undefined ? [env.LLMREC_API_KEY] : [],
    workerUrl: env.LLMREC_WORKER_URL ?? 'http://127.0.0.1:8788',
    workerSecret: env.LLMREC_WORKER_SECRET,
    workerTimeoutMs: env.LLMREC_WORKER_TIMEOUT_MS ? intStr.parse(env.LLMREC_WORKER_TIMEOUT_MS) : undefined,
    maxHistory: env.LLMREC_MAX_HISTORY ? intStr.parse(env.LLMREC_MAX_HISTORY) : undefined,
    rateLimit: env.LLMREC_RATE_LIMIT ? parseRate(env.LLMREC_RATE_LIMIT) : undefined,
    llmRerank: env.LLMREC_LLM_RERANK ? intStr.parse(env.LLMREC_LLM_RERANK) : undefined,
    eventTime: env.LLMREC_EVENT_MAX_FUTURE_MS || env.LLMREC_EVENT_MIN_TS
      ? { maxFutureMs: intStr.parse(env.LLMREC_EVENT_MAX_FUTURE_MS ?? 300_000), minTs: intStr.parse(env.LLMREC_EVENT_MIN_TS ?? 946_684_800_000) }
      : undefined,
    log: env.LLMREC_LOG,
  };
  const r = EdgeConfig.safeParse(raw);
  if (!r.success) throw new Error(`invalid edge configuration: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** "600/60" = 600 requests per 60 s. */
function parseRate(s: string): { requests: number; windowSec: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`LLMREC_RATE_LIMIT must look like 600/60 (requests/seconds), got ${s}`);
  return { requests: Number(m[1]), windowSec: Number(m[2]) };
}
