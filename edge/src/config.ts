// Edge configuration: read once at start from the runtime's environment (process.env on Node, bindings on
// Workers), validated with zod. Everything tunable about the request path lives here.
import { z } from 'zod';
import { API_LIMITS } from '@llmrec/shared/api/http.ts';

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** An origin exactly as browsers send it (scheme://host[:port], no path), or `self` = the edge's own origin. */
export const AllowedOrigin = z.string().refine((o) => o === 'self' || isOrigin(o), {
  message: 'origins look like https://shop.example or http://localhost:3000 (no path, no trailing slash), or self',
});

function isOrigin(o: string): boolean {
  try {
    const u = new URL(o);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === o;
  } catch {
    return false;
  }
}

/**
 * A publishable key (like a search-only key): safe to ship in a web page. It works only from its origins
 * (CORS), only on the anonymous-session routes (middleware/publishable-policy.ts), and is rate limited per
 * client address as well as per key.
 */
export const PublishableKey = z.object({
  key: z.string().regex(/^pk_[A-Za-z0-9_-]{16,128}$/, 'publishable keys look like pk_ followed by at least 16 letters, digits, _ or -'),
  origins: z.array(AllowedOrigin).min(1, 'a publishable key needs at least one origin it may be used from'),
});
export type PublishableKey = z.infer<typeof PublishableKey>;

const Rate = z.object({ requests: z.number().int().min(1), windowSec: z.number().int().min(1) });

export const EdgeConfig = z.object({
  /** Secret (server-side) bearer keys accepted on every route but /healthz (and the docs); never granted CORS. */
  apiKeys: z.array(z.string().min(8, 'API keys need at least 8 characters')).min(1, 'at least one API key is required'),
  /** Publishable keys for browsers (LLMREC_PUBLISHABLE_KEYS, JSON). */
  publishableKeys: z.array(PublishableKey).default([]),
  /** Requests per window per publishable key AND client address (on top of the per-key `rateLimit`). */
  publishableRateLimit: Rate.default({ requests: 120, windowSec: 60 }),
  /**
   * Header carrying the client address when the edge runs behind a proxy (e.g. x-forwarded-for: its first
   * entry). Unset: the socket address on Node, cf-connecting-ip on Workers.
   */
  clientAddressHeader: z.string().regex(/^[A-Za-z0-9-]+$/).toLowerCase().optional(),
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
  /** Requests per window per API key. */
  rateLimit: Rate.default({ requests: 6000, windowSec: 60 }),
  maxBodyBytes: z.number().int().min(1024).default(API_LIMITS.maxBodyBytes),
  /** Per-request JSON log lines on stdout. */
  log: z.enum(['json', 'off']).default('json'),
}).superRefine((c, ctx) => {
  const seen = new Set<string>();
  [...c.apiKeys, ...c.publishableKeys.map((p) => p.key)].forEach((k, i) => {
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: i < c.apiKeys.length ? ['apiKeys', i] : ['publishableKeys', i - c.apiKeys.length, 'key'], message: 'the same key is configured twice (a key is either secret or publishable)' });
    seen.add(k);
  });
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
    publishableKeys: env.LLMREC_PUBLISHABLE_KEYS ? parseJson('LLMREC_PUBLISHABLE_KEYS', env.LLMREC_PUBLISHABLE_KEYS) : undefined,
    publishableRateLimit: env.LLMREC_PUBLISHABLE_RATE_LIMIT ? parseRate(env.LLMREC_PUBLISHABLE_RATE_LIMIT, 'LLMREC_PUBLISHABLE_RATE_LIMIT') : undefined,
    clientAddressHeader: env.LLMREC_CLIENT_ADDRESS_HEADER || undefined,
    llmRerank: env.LLMREC_LLM_RERANK ? intStr.parse(env.LLMREC_LLM_RERANK) : undefined,
    log: env.LLMREC_LOG,
  };
  const r = EdgeConfig.safeParse(raw);
  if (!r.success) throw new Error(`invalid edge configuration: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** "600/60" = 600 requests per 60 s. */
function parseRate(s: string, name = 'LLMREC_RATE_LIMIT'): { requests: number; windowSec: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`${name} must look like 600/60 (requests/seconds), got ${s}`);
  return { requests: Number(m[1]), windowSec: Number(m[2]) };
}

function parseJson(name: string, s: string): unknown {
  try {
    return JSON.parse(s);
  } catch (err) {
    throw new Error(`${name} must be JSON, e.g. [{"key":"pk_...","origins":["https://shop.example"]}]: ${(err as Error).message}`);
  }
}

/** LLMREC_PUBLISHABLE_KEYS (JSON) parsed and validated alone, e.g. for tools that start an edge. */
export function parsePublishableKeys(json: string): PublishableKey[] {
  const r = z.array(PublishableKey).safeParse(parseJson('LLMREC_PUBLISHABLE_KEYS', json));
  if (!r.success) throw new Error(`invalid LLMREC_PUBLISHABLE_KEYS: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}
