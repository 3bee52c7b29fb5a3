// Both Redis REST backend factories, for Node callers (openStore, tests). The Workers entry must import
// ./upstash-store.ts directly so @vercel/kv stays out of the Workers bundle.
export { createUpstashStore, type RestCredentials } from './upstash-store.ts';
export { createVercelKvStore } from './vercel-kv-store.ts';
