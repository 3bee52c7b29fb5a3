// The trained base of the streaming evaluation: `llmrec train --split streaming` (fitted on the
// pre-training 70% only), i.e. the fused item latents (item-latents.npy: CF + content, items without pre-training
// interactions from content alone) and the ONNX user encoder giving z_u
// from a history. BaseModel.userLatent is synchronous while onnxruntime is not, so z_u is computed up front, in
// batches, for every history the replay can ask for: each user's history (capped at maxHistory, as the
// OnlineLearner keeps it) just before each of their events. A history outside that set is an error, never a guess.
import { readSplit, type Dataset } from '@llmrec/data/index.ts';
import { decodeNpy } from '@llmrec/data/npy.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir, ARTIFACTS_MANIFEST_FILE } from '@llmrec/shared/artifacts.ts';
import { historyKey, type BaseModel } from '@llmrec/shared/adapter/dynamic-model.ts';
import { loadTrainedArtifacts, runHistories } from '../models/sasrec.ts';
import type { StreamEvent } from './stream-events.ts';

/** A frozen base whose user latents were precomputed for a known set of histories (keyed by their items). */
export class PrecomputedBase implements BaseModel {
  readonly nItems: number;
  constructor(
    readonly dim: number,
    readonly itemLatents: Float32Array,
    private readonly users: Map<string, Float32Array>,
  ) {
    this.nItems = itemLatents.length / dim;
  }

  static readonly key = historyKey;

  userLatent(history: readonly number[], out: Float32Array): void {
    const z = this.users.get(PrecomputedBase.key(history));
    if (!z) throw new Error(`trained base: no precomputed z_u for a history of ${history.length} items (not a prefix of the stream)`);
    out.set(z);
  }
}

/** Every distinct history (oldest first, capped at maxHistory) a user has just before one of their events. */
export function streamHistories(events: readonly StreamEvent[], maxHistory: number): number[][] {
  const hist = new Map<number, number[]>();
  const seen = new Set<string>();
  const out: number[][] = [];
  const add = (h: number[]) => {
    const k = PrecomputedBase.key(h);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(h.slice());
    }
  };
  add([]);
  for (const e of events) {
    let h = hist.get(e.user);
    if (!h) hist.set(e.user, (h = []));
    add(h);
    h.push(e.item);
    if (h.length > maxHistory) h.shift();
  }
  return out;
}

export function trainedArtifactsExist(ds: Dataset, home: string): boolean {
  return existsSync(join(artifactsDir(home, ds.meta.name, 'streaming'), ARTIFACTS_MANIFEST_FILE));
}

/** Loads the streaming-split artifacts and precomputes z_u for the histories of `events`. */
export async function loadTrainedBase(ds: Dataset, home: string, events: readonly StreamEvent[], maxHistory: number, log: (m: string) => void = () => {}): Promise<{ base: PrecomputedBase; key: string }> {
  const split = readSplit(ds, 'streaming');
  const art = loadTrainedArtifacts({ dataset: ds, split: 'streaming', labels: split.labels, trainMask: new Uint8Array(0), seed: 0, home, log });
  const lat = decodeNpy(new Uint8Array(art.read('itemLatents')), 'item latents');
  const [n, dim] = lat.shape as [number, number];
  if (n !== ds.nItems) throw new Error(`trained item latents: ${n} rows, dataset has ${ds.nItems} items`);
  const s = await art.session('userEncoder');
  const maxlen = art.manifest.input.maxlen;
  const hs = streamHistories(events, maxHistory);
  const users = new Map<string, Float32Array>();
  const t = performance.now();
  const B = 512;
  try {
    for (let b = 0; b < hs.length; b += B) {
      const batch = hs.slice(b, b + B);
      const zu = await runHistories(s, batch, maxlen, 'z_u');
      batch.forEach((h, r) => {
        const z = zu.slice(r * dim, (r + 1) * dim);
        if (!z.every(Number.isFinite)) z.fill(0); // e.g. an all-padding history
        users.set(PrecomputedBase.key(h), z);
      });
    }
  } finally {
    await s.session.release();
  }
  log(`trained base (aligner z_u . z_i, dim ${dim}, key ${art.manifest.key}): z_u for ${hs.length} stream histories in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { base: new PrecomputedBase(dim, Float32Array.from(lat.data as Float32Array), users), key: art.manifest.key };
}
