// KvStore over a Cloudflare Workers KV binding (declared as `KV` in wrangler.toml). Runtime-neutral: it only
// needs the binding's structural type. Cloudflare KV has no multi-key atomicity and no list type, so:
// - setMany writes the entries one by one; publish makes a version visible atomically anyway by writing
//   versioned keys first and flipping ONE pointer key last (see docs/storage.md);
// - listPush is read-modify-write of a JSON array (last writer wins for concurrent pushes to one user);
// - TTLs below 60 s are raised to 60 s (the platform minimum); there is no event log (docs: use Queues).
import { KvUnavailableError, type KvStore } from './store.ts';

/** The part of Cloudflare's KVNamespace this backend uses. */
export interface KvNamespaceLike {
  get(key: string, type: 'text'): Promise<string | null>;
  put(key: string, value: string, opts?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

export const CLOUDFLARE_MIN_TTL_SECONDS = 60;

async function guard<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new KvUnavailableError(`Cloudflare KV failed during ${what}: ${(e as Error).message}`, { cause: e });
  }
}

export class CloudflareKvStore implements KvStore {
  readonly kind = 'cloudflare-kv';

  constructor(private readonly ns: KvNamespaceLike, private readonly prefix = '') {}

  private k(key: string) {
    return this.prefix + key;
  }

  get(key: string) {
    return guard('get', () => this.ns.get(this.k(key), 'text'));
  }

  mget(keys: readonly string[]) {
    return guard('mget', () => Promise.all(keys.map((k) => this.ns.get(this.k(k), 'text'))));
  }

  set(key: string, value: string, opts?: { ttlSeconds?: number }) {
    const ttl = opts?.ttlSeconds ? Math.max(CLOUDFLARE_MIN_TTL_SECONDS, Math.ceil(opts.ttlSeconds)) : undefined;
    return guard('set', () => this.ns.put(this.k(key), value, ttl ? { expirationTtl: ttl } : undefined));
  }

  del(key: string) {
    return guard('del', () => this.ns.delete(this.k(key)));
  }

  /** NOT atomic across keys (platform limit): callers flip a single pointer key last. */
  async setMany(entries: readonly (readonly [string, string])[]) {
    await guard('setMany', async () => {
      for (let i = 0; i < entries.length; i += 32) {
        await Promise.all(entries.slice(i, i + 32).map(([k, v]) => this.ns.put(this.k(k), v)));
      }
    });
  }

  async listPush(key: string, values: readonly string[], maxLen: number) {
    const current = await this.listRange(key, 0, -1);
    const next = [...values].reverse().concat(current).slice(0, Math.max(0, maxLen));
    await guard('listPush', () => this.ns.put(this.k(key), JSON.stringify(next)));
  }

  async listRange(key: string, start: number, stop: number) {
    const raw = await this.get(key);
    if (raw === null) return [];
    let list: unknown;
    try {
      list = JSON.parse(raw);
    } catch {
      list = null;
    }
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new Error(`Cloudflare KV key "${key}" does not hold a list`);
    return (list as string[]).slice(start, stop === -1 ? undefined : stop + 1);
  }

  async ping() {
    await this.get('llmrec:ping');
  }

  async close() {}
}

export function createCloudflareKvStore(binding: KvNamespaceLike, opts: { prefix?: string } = {}): CloudflareKvStore {
  return new CloudflareKvStore(binding, opts.prefix);
}
