import { beforeAll, describe, expect, it } from 'vitest';
import { WORKER_SECRET_HEADER } from '@llmrec/shared/api/wire.ts';
import { buildEvidence, checkRationale, type Evidence } from '@llmrec/shared/evidence/index.ts';
import { WorkerExplainResponse } from '@llmrec/shared/evidence/wire.ts';
import { evidenceSpans } from '@llmrec/shared/llm-prompt/rationale-prompt.ts';
import { mulberry32 } from '@llmrec/shared/rng.ts';
import { createWorkerApp } from '../../app.ts';
import { tinyWorld, type TinyWorld } from '../../attribution/attribution.test-helper.ts';
import { loadModel, type LoadedLlm } from '../model/load-model.ts';
import { loadProjectors } from '../rank/projectors.ts';
import { tinyProjectors } from '../rank/tiny-projectors.test-helper.ts';
import { LlmService } from '../serve/llm-service.ts';
import { convertedStories, missingStories, stories260KDir } from '../test-model.test-helper.ts';
import { llmRationaleWriter, tokenBytes } from './llm-rationale.ts';
import { constrainedDecode, SpanConstraint, type TokenSource } from './span-constraint.ts';

const src = stories260KDir();
if (!src) console.warn(missingStories);

/**
 * A generator that tries to name a title outside the evidence: at every step it puts the highest logit on the token
 * that spells the most of what remains of `target`, the rest seeded noise.
 */
function adversary(bytes: readonly Uint8Array[], target: string, seed = 1): TokenSource & { emitted: () => string } {
  const want = new TextEncoder().encode(target);
  const out: number[] = [];
  const r = mulberry32(seed);
  const progress = () => {
    // How much of the target the text already ends with a prefix of.
    for (let k = Math.min(want.length, out.length); k > 0; k--) if (want.subarray(0, k).every((b, i) => b === out[out.length - k + i])) return k;
    return 0;
  };
  return {
    async logits() {
      const l = Float32Array.from(bytes, () => r());
      const rest = want.subarray(progress());
      const from = rest.length ? rest : want;
      let best = -1;
      let bestLen = 0;
      bytes.forEach((b, id) => {
        if (b.length > bestLen && b.length <= from.length && b.every((x, i) => x === from[i])) {
          best = id;
          bestLen = b.length;
        }
      });
      if (best >= 0) l[best] = 100;
      return l;
    },
    async push(id) {
      out.push(...bytes[id]!);
    },
    emitted: () => new TextDecoder().decode(Uint8Array.from(out)),
  };
}

describe.skipIf(!src)('rationales written by the LLM under constrained decoding (stories260K)', () => {
  let llm: LoadedLlm;
  let w: TinyWorld;
  let ev: Evidence;
  beforeAll(async () => {
    llm = await loadModel(convertedStories(src));
    w = await tinyWorld();
    const history = [1, 2, 3, 5, 6];
    ev = buildEvidence({ facts: (i) => w.facts[i]!, latent: (i) => w.latents.subarray(i * 8, i * 8 + 8), coUsers: () => 9 }, 10, history);
  });

  it('an adversarial generator cannot name a title outside the evidence (and does when unconstrained)', async () => {
    const bytes = tokenBytes(llm);
    const forbidden = '"Titanic (1997)"';
    // Unconstrained, the adversary does spell the forbidden title: the test below can fail.
    const free = adversary(bytes, forbidden);
    for (let i = 0; i < 20; i++) {
      const l = await free.logits();
      await free.push(l.indexOf(Math.max(...l)));
    }
    expect(free.emitted()).toContain(forbidden);
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = await constrainedDecode(adversary(bytes, forbidden, seed), bytes, new SpanConstraint(evidenceSpans(ev)), { banned: new Set([1, 2]) });
      expect(r).not.toBeNull();
      expect(r!.text).not.toContain('Titanic');
      expect(r!.text).not.toMatch(/1997/);
      const quoted = [...r!.text.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
      for (const q of quoted) expect(ev.neighbours.map((n) => n.title)).toContain(q);
      expect(evidenceSpans(ev).some((s) => r!.text.includes(s))).toBe(true);
    }
  });

  it('the span grammar: free text is lower-case, spans whole and unused, at most maxGap free tokens between spans', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const c = new SpanConstraint(['"Heat (1995)"', 'Drama'], { maxGap: 2 });
    let s = c.start();
    expect(c.step(s, enc('"Casino'))).toBeNull();
    expect(c.step(s, enc('Heat'))).toBeNull();
    expect(c.step(s, enc('the.'))).toBeNull(); // no full stop before a span
    s = c.step(s, enc(' you'))!;
    s = c.step(s, enc(' liked'))!;
    expect(c.step(s, enc(' it'))).toBeNull(); // third free token in a row
    expect(c.canStop(s)).toBe(false);
    s = c.step(s, enc(' "Heat (19'))!;
    s = c.step(s, enc('95)" and'))!;
    expect(c.step(s, enc(' "Heat'))).toBeNull(); // a span once
    s = c.step(s, enc(' Drama'))!;
    expect(c.canStop(s)).toBe(true);
    s = c.step(s, enc('.'))!;
    expect(c.finished(s)).toBe(true);
  });

  it('writes sentences that pass the evidence check, with source llm', async () => {
    const tokens = await loadProjectors(tinyProjectors(40, llm.hidden, 8));
    const writer = llmRationaleWriter({ llm, tokens, userLatent: await w.model.encodeUsers([[1, 2, 3]]) });
    const [r] = await writer.write([ev], [1, 2, 3, 5, 6].map((i) => w.facts[i]!));
    expect(r).not.toBeNull();
    expect(r!.source).toBe('llm');
    expect(checkRationale(r!, ev, w.facts.map((f) => f.title))).toEqual({ ok: true, problems: [] });
    expect(r!.cited.neighbours.length + r!.cited.attributes.length).toBeGreaterThan(0);
  });

  it('the worker explain route answers with the LLM as source when an LLM is configured', async () => {
    const tokens = await loadProjectors(tinyProjectors(40, llm.hidden, 8));
    const service = new LlmService({ llm, tokens, weight: 0, name: 'stories260K', encodeUser: (h) => w.model.encodeUsers([h]) });
    const { app } = createWorkerApp({ model: w.model, secret: 'worker-secret-123', llm: service });
    const history = [1, 4, 9, 13, 22, 30, 31];
    const res = await app.request('/v1/explain', {
      method: 'POST',
      headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: 'worker-secret-123' },
      body: JSON.stringify({ v: 1, requestId: 'r', userId: 'u1', history: history.map((i) => w.facts[i]), items: [w.facts[5], w.facts[17]], coUsers: [history.map(() => 9), history.map(() => 9)], minCoUsers: 5 }),
    });
    expect(res.status).toBe(200);
    const body = WorkerExplainResponse.parse(await res.json());
    expect(body.model).toContain('llm(stories260K)');
    for (const e of body.explanations) {
      expect(e.rationale.source).toBe('llm');
      expect(checkRationale(e.rationale, e.evidence, w.facts.map((f) => f.title)).ok).toBe(true);
    }
  });
});
