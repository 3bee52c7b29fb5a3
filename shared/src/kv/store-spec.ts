// Parses a store specification (`LLMREC_STORE`, `--store`) into a validated config, once, at start
// (STYLE: configuration in one place, validated). Forms: memory | sqlite:<path> | upstash[:<url>] |
// redis-rest:<url> | vercel-kv[:<url>] | cloudflare-kv. Tokens come from the environment, never the spec.
import { z } from 'zod';

export const StoreConfig = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('memory') }),
  z.object({ kind: z.literal('sqlite'), path: z.string().min(1) }),
  z.object({ kind: z.literal('upstash'), url: z.url(), token: z.string().min(1) }),
  z.object({ kind: z.literal('vercel-kv'), url: z.url(), token: z.string().min(1) }),
  z.object({ kind: z.literal('cloudflare-kv'), binding: z.string().default('KV') }),
]);
export type StoreConfig = z.infer<typeof StoreConfig>;

/** Environment variables the store spec may draw on. */
export type StoreEnv = Partial<Record<'LLMREC_STORE' | 'LLMREC_HOME' | 'UPSTASH_REDIS_REST_URL' | 'UPSTASH_REDIS_REST_TOKEN' | 'KV_REST_API_URL' | 'KV_REST_API_TOKEN', string>>;

export class StoreSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreSpecError';
  }
}

/** The embedded default: `sqlite:$LLMREC_HOME/kv.sqlite` (LLMREC_HOME defaults to `.llmrec`). */
export function defaultStoreSpec(env: StoreEnv): string {
  return `sqlite:${(env.LLMREC_HOME ?? '.llmrec').replace(/\/+$/, '')}/kv.sqlite`;
}

export function parseStoreSpec(spec: string | undefined, env: StoreEnv = {}): StoreConfig {
  // An empty value counts as unset (LLMREC_STORE= in a shell or a compose file means "the default").
  const s = (spec?.trim() || env.LLMREC_STORE?.trim() || defaultStoreSpec(env)).trim();
  const colon = s.indexOf(':');
  const scheme = colon < 0 ? s : s.slice(0, colon);
  const rest = colon < 0 ? '' : s.slice(colon + 1);
  const need = (v: string | undefined, what: string) => {
    if (!v) throw new StoreSpecError(`store "${scheme}" needs ${what}`);
    return v;
  };
  let cfg: unknown;
  switch (scheme) {
    case 'memory':
      cfg = { kind: 'memory' };
      break;
    case 'sqlite':
      cfg = { kind: 'sqlite', path: rest || defaultStoreSpec(env).slice('sqlite:'.length) };
      break;
    case 'upstash':
    case 'redis-rest':
      cfg = { kind: 'upstash', url: need(rest || env.UPSTASH_REDIS_REST_URL, 'a URL (upstash:https://... or UPSTASH_REDIS_REST_URL)'), token: need(env.UPSTASH_REDIS_REST_TOKEN, 'UPSTASH_REDIS_REST_TOKEN') };
      break;
    case 'vercel-kv':
      cfg = { kind: 'vercel-kv', url: need(rest || env.KV_REST_API_URL, 'a URL (vercel-kv:https://... or KV_REST_API_URL)'), token: need(env.KV_REST_API_TOKEN, 'KV_REST_API_TOKEN') };
      break;
    case 'cloudflare-kv':
      cfg = { kind: 'cloudflare-kv', binding: rest || 'KV' };
      break;
    default:
      throw new StoreSpecError(`unknown store "${s}": use memory | sqlite:<path> | upstash[:<url>] | redis-rest:<url> | vercel-kv[:<url>] | cloudflare-kv`);
  }
  const r = StoreConfig.safeParse(cfg);
  if (!r.success) throw new StoreSpecError(`bad store spec "${s}": ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** The spec without secrets, for logs and /readyz. */
export function describeStore(cfg: StoreConfig): string {
  switch (cfg.kind) {
    case 'memory':
      return 'memory';
    case 'sqlite':
      return `sqlite:${cfg.path}`;
    case 'upstash':
    case 'vercel-kv':
      return `${cfg.kind}:${cfg.url}`;
    case 'cloudflare-kv':
      return `cloudflare-kv:${cfg.binding}`;
  }
}
