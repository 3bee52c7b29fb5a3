import { describe, expect, it } from 'vitest';
import { describeStore, parseStoreSpec, StoreSpecError } from './store-spec.ts';

describe('parseStoreSpec', () => {
  it('defaults to the embedded SQLite store under LLMREC_HOME', () => {
    expect(parseStoreSpec(undefined, {})).toEqual({ kind: 'sqlite', path: '.llmrec/kv.sqlite' });
    expect(parseStoreSpec(undefined, { LLMREC_HOME: '/data/' })).toEqual({ kind: 'sqlite', path: '/data/kv.sqlite' });
    expect(parseStoreSpec(undefined, { LLMREC_STORE: 'memory' })).toEqual({ kind: 'memory' });
    expect(parseStoreSpec(undefined, { LLMREC_STORE: '', LLMREC_HOME: '/h' })).toEqual({ kind: 'sqlite', path: '/h/kv.sqlite' });
    expect(parseStoreSpec(' ', { LLMREC_STORE: 'memory' })).toEqual({ kind: 'memory' });
  });

  it('reads URLs from the spec or the environment and tokens only from the environment', () => {
    const env = { UPSTASH_REDIS_REST_URL: 'https://eu1.upstash.io', UPSTASH_REDIS_REST_TOKEN: 'tok', KV_REST_API_URL: 'https://kv.vercel', KV_REST_API_TOKEN: 'vt' };
    expect(parseStoreSpec('upstash', env)).toEqual({ kind: 'upstash', url: 'https://eu1.upstash.io', token: 'tok' });
    expect(parseStoreSpec('redis-rest:http://127.0.0.1:8079', env)).toEqual({ kind: 'upstash', url: 'http://127.0.0.1:8079', token: 'tok' });
    expect(parseStoreSpec('vercel-kv', env)).toMatchObject({ kind: 'vercel-kv', url: 'https://kv.vercel', token: 'vt' });
    expect(describeStore(parseStoreSpec('upstash', env))).toBe('upstash:https://eu1.upstash.io');
  });

  it('explains what is missing or wrong', () => {
    expect(() => parseStoreSpec('upstash', {})).toThrow(StoreSpecError);
    expect(() => parseStoreSpec('upstash:https://x.io', {})).toThrow(/UPSTASH_REDIS_REST_TOKEN/);
    expect(() => parseStoreSpec('upstash:not a url', { UPSTASH_REDIS_REST_TOKEN: 't' })).toThrow(/bad store spec/);
    expect(() => parseStoreSpec('mongo:x', {})).toThrow(/unknown store/);
  });
});
