// Runtime-neutral code shared by the edge and the GPU worker (Web APIs + zod only; no node:*, no native modules).
export * from './kv/store.ts';
