// Dynamic scoring in the worker (online dynamic alignment, Eq. 1: u_t . z_i,t): bridges the adapter
// engineer's AdapterRegistry (polls KV for new adapter versions, swaps them in without restart) to the worker's
// batched ONNX user encoder. The registry asks its base model for z_u synchronously; here z_u is the encoder
// output computed for the batch, handed over just before each (synchronous) score call.
import type { BaseModel } from '@llmrec/shared/adapter/dynamic-model.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { AdapterRegistry } from './adapter-runtime/adapter-registry.ts';
import type { LatentModel } from './model.ts';

export interface DynamicScoring {
  /** Serving adapter version, or null (static scoring). */
  version(): number | null;
  /** Scores every item for one user into `out`; returns the adapter version used (null = static). */
  score(user: string, history: readonly number[], zu: Float32Array, out: Float32Array): number | null;
  stop(): void;
}

export interface DynamicScoringOptions {
  pollMs?: number;
  say?: (m: string) => void;
  /** Wall clock in ms (the time the window statistics are read at); tests pin it. */
  clock?: () => number;
}

export function createDynamicScoring(store: KvStore, model: LatentModel, opts: DynamicScoringOptions = {}): DynamicScoring {
  const clock = opts.clock ?? Date.now;
  let current: Float32Array | null = null;
  const base: BaseModel = {
    id: model.version, // the serving bundle's version, as the job's EncoderBase over the same folder
    dim: model.dim,
    nItems: model.items,
    itemLatents: model.itemLatents,
    userLatent: (_history, out) => {
      if (!current) throw new Error('dynamic scoring: z_u not set');
      out.set(current);
    },
  };
  const registry = new AdapterRegistry(store, base, { pollMs: opts.pollMs ?? 1000, say: opts.say });
  registry.start();
  return {
    version: () => registry.version,
    score(user, history, zu, out) {
      current = zu;
      try {
        return registry.score(user, history, clock() / 1000, out);
      } finally {
        current = null;
      }
    },
    stop: () => registry.stop(),
  };
}
