// The frozen base of the adapter job when it trains on what the worker serves (learning path: the adapters of
// Eq. 1 are fitted around the served z_i and z_u): item latents and the ONNX user encoder of the serving
// bundle, the same files loadServingModel() gives the worker, so a published adapter has the worker's dim and
// lives in the worker's latent space. BaseModel.userLatent is synchronous while onnxruntime is not, so z_u is
// encoded ahead of each window update (prepare) for the histories the update will ask for, and served from
// that cache; a history outside it is an error, never a guess.
import { historyKey, type BaseModel } from '@llmrec/shared/adapter/dynamic-model.ts';
import { loadServingModel } from '../artifacts.ts';
import type { LatentModel } from '../model.ts';
import type { Device } from '../onnx/index.ts';

/** What the base needs of a serving model (LatentModel fits; so does any encoder with the same shape). */
export type UserEncoderModel = Pick<LatentModel, 'version' | 'itemLatents' | 'dim' | 'encodeUsers'>;

export interface PrepareReport {
  /** Distinct histories asked for. */
  histories: number;
  /** Of those, how many were encoded now (the rest were already cached). */
  encoded: number;
}

export class EncoderBase implements BaseModel {
  /** The bundle's version: the id the worker's base has for the same folder (dynamic-scoring.ts). */
  readonly id: string;
  readonly dim: number;
  readonly nItems: number;
  readonly itemLatents: Float32Array;
  private cache = new Map<string, Float32Array>();

  constructor(readonly model: UserEncoderModel, readonly batch = 256) {
    this.id = model.version;
    this.dim = model.dim;
    this.itemLatents = model.itemLatents;
    if (this.itemLatents.length % this.dim !== 0) throw new Error(`item latents of length ${this.itemLatents.length} are not a multiple of dim ${this.dim}`);
    this.nItems = this.itemLatents.length / this.dim;
  }

  /** Histories with a prepared z_u. */
  get size(): number {
    return this.cache.size;
  }

  userLatent(history: readonly number[], out: Float32Array): void {
    const z = this.cache.get(historyKey(history));
    if (!z) throw new Error(`bundle base: no z_u prepared for a history of ${history.length} items (prepare() must be given every history the update scores)`);
    out.set(z);
  }

  /**
   * Makes z_u available for exactly these histories: cached ones are kept, the others encoded in batches
   * (a non-finite row, e.g. an all-padding history, becomes zeros), and every history not asked for this time
   * is dropped, so memory follows the learner's working set (pending + held-out + replay), not the stream.
   */
  async prepare(histories: readonly (readonly number[])[]): Promise<PrepareReport> {
    const next = new Map<string, Float32Array>();
    const miss: { key: string; history: readonly number[] }[] = [];
    for (const h of histories) {
      const key = historyKey(h);
      if (next.has(key)) continue;
      const z = this.cache.get(key);
      if (z) next.set(key, z);
      else {
        next.set(key, EMPTY); // placeholder: keeps a repeated miss out of the batch
        miss.push({ key, history: h });
      }
    }
    const D = this.dim;
    for (let b = 0; b < miss.length; b += this.batch) {
      const part = miss.slice(b, b + this.batch);
      const zu = await this.model.encodeUsers(part.map((m) => m.history));
      if (zu.length !== part.length * D) throw new Error(`bundle base: encoder returned ${zu.length} values for ${part.length} histories x dim ${D}`);
      part.forEach((m, r) => {
        const z = zu.slice(r * D, (r + 1) * D);
        if (!z.every(Number.isFinite)) z.fill(0);
        next.set(m.key, z);
      });
    }
    this.cache = next;
    return { histories: next.size, encoded: miss.length };
  }
}

const EMPTY = new Float32Array(0);

/** The serving bundle in `dir` (serving-bundle.json, hashes checked) as the job's base; close `model` when done. */
export async function loadBundleBase(dir: string, opts: { device?: Device; threads?: number; batch?: number } = {}): Promise<{ base: EncoderBase; model: LatentModel }> {
  const model = await loadServingModel(dir, { device: opts.device ?? 'cpu', ...(opts.threads ? { threads: opts.threads } : {}) });
  return { base: new EncoderBase(model, opts.batch), model };
}
