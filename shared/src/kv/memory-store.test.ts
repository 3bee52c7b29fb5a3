// Runs the KV conformance suite against the in-memory backend.
import { runKvConformance } from '../../../test-support/kv-conformance.ts';
import { createMemoryStore } from './memory-store.ts';

runKvConformance('memory', {
  open: async (_ns, opts) => createMemoryStore(opts),
  persistent: false,
  atomicSetMany: true,
  minTtlSeconds: 1,
  hasEventLog: true,
});
