// Runs the KV conformance suite against the in-memory backend (one store per namespace, shared by its handles).
import { runKvConformance } from '../../../test-support/kv-conformance.ts';
import { createMemoryStore, type MemoryStore } from './memory-store.ts';

const stores = new Map<string, MemoryStore>();

runKvConformance('memory', {
  open: async (ns, opts) => stores.get(ns) ?? stores.set(ns, createMemoryStore(opts)).get(ns)!,
  persistent: false,
  atomicSetMany: true,
  minTtlSeconds: 1,
  hasEventLog: true,
});
