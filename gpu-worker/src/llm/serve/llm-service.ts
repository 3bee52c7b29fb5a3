// The worker's LLM service (request path, step 4, LLM half): the frozen LLM and the projectors loaded once;
// ranks prompt candidates (soft prompt with the user's z_u token, cached prefix, batched candidate scoring,
// fusion with the weight chosen on validation) and writes rationales under constrained decoding.
// Serialised: one request at a time owns the decoder.
import type { RationaleWriter } from '@llmrec/shared/evidence/explain-with-model.ts';
import type { LlmRankRequest, LlmRankResponse } from '@llmrec/shared/llm-prompt/wire.ts';
import { LLM_WIRE_VERSION } from '@llmrec/shared/llm-prompt/wire.ts';
import type { LoadedLlm } from '../model/load-model.ts';
import { llmRationaleWriter } from '../explain/llm-rationale.ts';
import { embedSoftPrompt, encodePrefix, fitSoftPrompt, fuseScores, scoreAfterPrefix } from '../rank/llm-ranker.ts';
import { historyLatent, type SoftTokens } from '../rank/projectors.ts';

export interface LlmServiceOptions {
  llm: LoadedLlm;
  tokens: SoftTokens;
  /** Fusion weight: chosen on validation and stored with the projectors (projector.json fusion.weight), or configured. */
  weight: number;
  name?: string;
  /**
   * z_u of a history from the serving user encoder (the worker's LatentModel): the user soft token of the
   * production path. Absent (tests without a bundle): the mean joint latent of the history.
   */
  encodeUser?: (history: readonly number[]) => Promise<Float32Array>;
}

export class LlmService {
  private queue: Promise<unknown> = Promise.resolve();
  readonly name: string;
  readonly weight: number;

  constructor(private readonly o: LlmServiceOptions) {
    if (!(Number.isFinite(o.weight) && o.weight >= 0)) throw new RangeError(`LLM fusion weight must be a finite number >= 0, got ${o.weight}`);
    this.name = o.name ?? o.llm.dir;
    this.weight = o.weight;
  }

  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f, f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The user's joint latent: given on the wire, else the serving encoder's z_u, else the history mean. */
  async userLatent(history: readonly number[], given?: readonly number[]): Promise<Float32Array> {
    const d = this.o.tokens.meta.latentDim;
    if (given) {
      if (given.length !== d) throw new RangeError(`userLatent has ${given.length} values, the projectors expect ${d}`);
      return Float32Array.from(given);
    }
    if (this.o.encodeUser && history.length) {
      const z = await this.o.encodeUser(history);
      if (z.length !== d) throw new RangeError(`the user encoder gives ${z.length} values, the projectors expect ${d}`);
      return z;
    }
    return historyLatent(this.o.tokens, history.slice(-50));
  }

  rank(req: LlmRankRequest): Promise<LlmRankResponse> {
    return this.exclusive(async () => {
      const t0 = performance.now();
      const cands = req.prompt.candidates ?? [];
      if (req.latentScores.length !== cands.length) throw new RangeError(`latentScores has ${req.latentScores.length} entries for ${cands.length} candidates`);
      const zu = await this.userLatent(req.prompt.history.map((h) => h.idx), req.userLatent);
      const prompt = fitSoftPrompt(this.o.llm, req.prompt, req.userIdx ?? 0);
      const prefix = await encodePrefix(this.o.llm, await embedSoftPrompt(this.o.llm, { tokens: this.o.tokens, userLatent: zu }, prompt));
      const llmScores = (await scoreAfterPrefix(this.o.llm, prefix, prompt)).map((s) => s.score);
      const weight = req.weight ?? this.weight;
      const fused = fuseScores(req.latentScores, llmScores, weight);
      const items = cands.map((c, i) => ({ idx: c.idx, latentScore: req.latentScores[i]!, llmScore: llmScores[i]!, fused: fused[i]! })).sort((a, b) => b.fused - a.fused);
      return { v: LLM_WIRE_VERSION, requestId: req.requestId, items, weight, model: this.name, ms: performance.now() - t0 };
    });
  }

  /** A rationale writer for one request (constrained decoding after the user's soft prompt); serialised with rank. */
  writer(history: readonly number[], o: { deadline?: number } = {}): RationaleWriter {
    return {
      write: (evidence, facts) =>
        this.exclusive(async () => llmRationaleWriter({ llm: this.o.llm, tokens: this.o.tokens, userLatent: await this.userLatent(history), deadline: o.deadline }).write(evidence, facts)),
    };
  }
}
