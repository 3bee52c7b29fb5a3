// The KV layer's runtime-neutral surface: interface, key names, value schemas, typed access, memory backend,
// fetch-based Redis backends (Upstash / Vercel KV), Cloudflare KV binding backend, rate limiters.
export * from './store.ts';
export * from './keys.ts';
export * from './values.ts';
export * from './typed.ts';
export * from './memory-store.ts';
