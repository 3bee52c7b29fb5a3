// The KV layer's runtime-neutral surface: interface, key names, value schemas, typed access, store specs,
// memory / Redis REST (Upstash, Vercel KV) / Cloudflare KV backends. Node-only pieces (SQLite, openStore,
// rate limiters) live in edge/src/kv/.
export * from './store.ts';
export * from './keys.ts';
export * from './values.ts';
export * from './typed.ts';
export * from './store-spec.ts';
export * from './memory-store.ts';
export * from './redis-store.ts';
export * from './cloudflare-kv-store.ts';
