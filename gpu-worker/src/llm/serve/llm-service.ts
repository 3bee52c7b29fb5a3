// The worker's LLM service (request path, step 4, LLM half): loads the frozen LLM and the projectors once,
// then ranks prompt candidates (soft prompt, cached prefix, batched candidate scoring, fusion) and renders
// rationales with LLM-chosen slots. Serialised: one request at a time owns the decoder.
import { checkRationale } from '@llmrec/shared/evidence/faithfulness.ts';
import { renderRationale } from '@llmrec/shared/evidence/rationale.ts';
import type { LlmExplainRequest, LlmExplainResponse, LlmRankRequest, LlmRankResponse } from '@llmrec/shared/llm-prompt/wire.ts';
import { LLM_WIRE_VERSION } from '@llmrec/shared/llm-prompt/wire.ts';
import type { LoadedLlm } from '../model/load-model.ts';
import { embedSoftPrompt, encodePrefix, fitSoftPrompt, fuseScores, llmSlotChooser, scoreAfterPrefix } from '../rank/llm-ranker.ts';
import { historyLatent, row, type SoftTokens } from '../rank/projectors.ts';

export interface LlmServiceOptions {
  llm: LoadedLlm;
  tokens: SoftTokens;
  /** Fusion weight chosen on validation (results/llm-eval-*.json: chosenWeightOnValid). */
  weight: number;
  name?: string;
}

export class LlmService {
  private queue: Promise<unknown> = Promise.resolve();
  readonly name: string;

  constructor(private readonly o: LlmServiceOptions) {
    this.name = o.name ?? o.llm.dir;
  }

  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f, f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private userLatent(userIdx: number | undefined, history: readonly number[], given?: readonly number[]): Float32Array {
    if (given) {
      if (given.length !== this.o.tokens.meta.latentDim) throw new RangeError(`userLatent has ${given.length} values, the projectors expect ${this.o.tokens.meta.latentDim}`);
      return Float32Array.from(given);
    }
    const u = this.o.tokens.userLatents;
    if (userIdx !== undefined && u && (userIdx + 1) * u.shape[1]! <= u.data.length) return row(u.data, userIdx, u.shape[1]!).slice();
    return historyLatent(this.o.tokens, history.slice(-50));
  }

  rank(req: LlmRankRequest): Promise<LlmRankResponse> {
    return this.exclusive(async () => {
      const t0 = performance.now();
      const cands = req.prompt.candidates ?? [];
      if (req.latentScores.length !== cands.length) throw new RangeError(`latentScores has ${req.latentScores.length} entries for ${cands.length} candidates`);
      const zu = this.userLatent(req.userIdx, req.prompt.history.map((h) => h.idx), req.userLatent);
      const prompt = fitSoftPrompt(this.o.llm, req.prompt, req.userIdx);
      const prefix = await encodePrefix(this.o.llm, await embedSoftPrompt(this.o.llm, { tokens: this.o.tokens, userLatent: zu }, prompt));
      const llmScores = (await scoreAfterPrefix(this.o.llm, prefix, prompt)).map((s) => s.score);
      const weight = req.weight ?? this.o.weight;
      const fused = fuseScores(req.latentScores, llmScores, weight);
      const items = cands.map((c, i) => ({ idx: c.idx, latentScore: req.latentScores[i]!, llmScore: llmScores[i]!, fused: fused[i]! })).sort((a, b) => b.fused - a.fused);
      return { v: LLM_WIRE_VERSION, requestId: req.requestId, items, weight, model: this.name, ms: performance.now() - t0 };
    });
  }

  explain(req: LlmExplainRequest): Promise<LlmExplainResponse> {
    return this.exclusive(async () => {
      const t0 = performance.now();
      const zu = this.userLatent(req.userIdx, req.prompt.history.map((h) => h.idx), req.userLatent);
      const prompt = fitSoftPrompt(this.o.llm, { ...req.prompt, candidates: req.evidence.map((e) => ({ idx: e.item.idx, title: e.item.title })) }, req.userIdx);
      const prefix = await encodePrefix(this.o.llm, await embedSoftPrompt(this.o.llm, { tokens: this.o.tokens, userLatent: zu }, prompt));
      const chooser = llmSlotChooser(this.o.llm, prefix);
      const rationales = [];
      for (const ev of req.evidence) {
        const r = await renderRationale(ev, chooser);
        rationales.push(checkRationale(r, ev, req.prompt.history.map((h) => h.title)).ok ? r : await renderRationale(ev));
      }
      return { v: LLM_WIRE_VERSION, requestId: req.requestId, rationales, model: this.name, ms: performance.now() - t0 };
    });
  }
}
