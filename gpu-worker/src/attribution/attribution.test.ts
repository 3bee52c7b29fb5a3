import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '@llmrec/shared/npy.ts';
import { WORKER_SECRET_HEADER } from '@llmrec/shared/api/wire.ts';
import { WorkerExplainResponse } from '@llmrec/shared/evidence/wire.ts';
import { createWorkerApp } from '../app.ts';
import { DataType, GraphBuilder } from '../llm/onnx-graph/graph-builder.ts';
import { encodeModel } from '../llm/onnx-graph/model-io.ts';
import { tinyWorld } from './attribution.test-helper.ts';
import { openContentTower } from '../catalog/content-tower.ts';
import { contentAttribution, contentAttributionFromEnv } from './content-attribution.ts';
import { modelScorer } from './model-scorer.ts';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, k) => s + x * b[k]!, 0);

describe('the serving model as a history scorer', () => {
  it('scores every variant in one encoder run, equal to encoding each alone; ranks over unseen items, ties pessimistic', async () => {
    const w = await tinyWorld();
    const history = [3, 7, 11, 2, 19];
    const variants = [history, [3, 7], [11], []];
    const before = w.runs();
    const { scores, ranks } = await modelScorer(w.model).scoreVariants(variants, [0, 5], history);
    expect(w.runs() - before).toBe(1);
    for (const [v, h] of variants.entries()) {
      const zu = await w.model.encodeUsers([h]);
      const all = Array.from({ length: 40 }, (_, i) => dot(zu, w.latents.subarray(i * 8, (i + 1) * 8)));
      for (const [j, it] of [0, 5].entries()) {
        expect(scores[v * 2 + j]).toBeCloseTo(all[it]!, 5);
        expect(ranks[v * 2 + j]).toBe(1 + all.filter((s, i) => i !== it && !history.includes(i) && s >= all[it]!).length);
      }
    }
  });
});

describe('worker POST /v1/explain', () => {
  const post = (app: { request: (p: string, i: RequestInit) => Response | Promise<Response> }, body: unknown, secret = 'worker-secret-123') =>
    app.request('/v1/explain', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', [WORKER_SECRET_HEADER]: secret } });

  it('attributes, cites by effect above the co-user threshold, and measures faithfulness against the model', async () => {
    const w = await tinyWorld();
    const { app } = createWorkerApp({ model: w.model, secret: 'worker-secret-123' });
    const history = [1, 4, 9, 13, 22, 30, 31];
    const items = [5, 17];
    // Item 13 shares only 2 users with each candidate: it must never be cited.
    const coUsers = items.map(() => history.map((h) => (h === 13 ? 2 : 12)));
    const res = await post(app, { v: 1, requestId: 'r1', userId: 'u-secret-1', history: history.map((i) => w.facts[i]), items: items.map((i) => w.facts[i]), coUsers, minCoUsers: 5, samples: 8 });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('u-secret-1');
    const body = WorkerExplainResponse.parse(JSON.parse(text));
    expect(body.explanations.every((e) => e.evidence.neighbours.length > 0 && e.faithfulness.size > 0)).toBe(true);
    for (const [j, e] of body.explanations.entries()) {
      expect(e.evidence.method).toBe('attribution');
      expect(e.evidence.item.idx).toBe(items[j]);
      expect(e.evidence.neighbours.map((n) => n.idx)).not.toContain(13);
      for (const n of e.evidence.neighbours) expect(n.effect).toBeGreaterThan(0);
      expect(e.rationale.source).toBe('template');
      // Comprehensiveness re-scores the model with the cited items removed.
      const cited = new Set(e.rationale.cited.neighbours);
      const full = await w.model.encodeUsers([history]);
      const rest = await w.model.encodeUsers([history.filter((h) => !cited.has(h))]);
      const zi = w.latents.subarray(items[j]! * 8, (items[j]! + 1) * 8);
      expect(e.faithfulness.size).toBe(cited.size);
      expect(e.faithfulness.score).toBeCloseTo(dot(full, zi), 5);
      expect(e.faithfulness.comprehensiveness.scoreDrop).toBeCloseTo(dot(full, zi) - dot(rest, zi), 5);
      expect(e.faithfulness.samples).toBe(8);
    }
  });

  it('refuses a wrong secret, a malformed request and indices outside the model', async () => {
    const w = await tinyWorld();
    const { app } = createWorkerApp({ model: w.model, secret: 'worker-secret-123' });
    const ok = { v: 1, requestId: 'r', userId: null, history: [w.facts[1]], items: [w.facts[2]], coUsers: [[9]], minCoUsers: 5 };
    expect((await post(app, ok, 'wrong-secret')).status).toBe(401);
    const bad = await post(app, { ...ok, coUsers: [[9, 9]] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('coUsers');
    expect((await post(app, { ...ok, items: [{ ...w.facts[2]!, idx: 400 }] })).status).toBe(400);
  });
});

describe('content-tower attribution (contract fixture until the fusion step exports one)', () => {
  /** z_item = W_text . text * text_present + W_image . image * image_present */
  async function tower(dim: number, bytes?: { out?: Uint8Array }) {
    const g = new GraphBuilder('tower');
    const wText = Float32Array.from({ length: 4 * dim }, (_, i) => Math.sin(i + 1));
    const wImage = Float32Array.from({ length: 3 * dim }, (_, i) => Math.cos(i + 2));
    const part = (name: string, width: number, wt: Float32Array) => {
      const x = g.input(name, DataType.FLOAT, ['b', width]);
      const p = g.input(`${name}_present`, DataType.FLOAT, ['b']);
      const y = g.op('MatMul', [x, g.float(`w_${name}`, wt, [width, dim])]);
      return g.op('Mul', [y, g.op('Unsqueeze', [p, g.ints([1])])]);
    };
    g.op('Add', [part('text', 4, wText), part('image', 3, wImage)], {}, ['z_item']);
    g.output('z_item', DataType.FLOAT, ['b', dim]);
    const onnx = encodeModel(g.model());
    if (bytes) bytes.out = onnx;
    return { tower: await openContentTower(onnx, { device: 'cpu', threads: 1 }), wText, wImage };
  }

  it("a modality's effect is the score drop with that modality switched off; absent modalities have none", async () => {
    const w = await tinyWorld();
    const { tower: t, wText, wImage } = await tower(8);
    const n = 40;
    const text = Float32Array.from({ length: n * 4 }, (_, i) => ((i * 7) % 5) / 5);
    const image = Float32Array.from({ length: n * 3 }, (_, i) => ((i * 3) % 4) / 4 - 0.3);
    const imagePresent = Uint8Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const tables = { text: { data: text, present: new Uint8Array(n).fill(1) }, image: { data: image, present: imagePresent } };
    const history = [1, 2, 3];
    const [even, odd] = await contentAttribution(t, tables, w.model)(history, [6, 7]);
    const zu = await w.model.encodeUsers([history]);
    const proj = (x: Float32Array, wt: Float32Array, width: number, item: number) => Array.from({ length: 8 }, (_, d) => Array.from({ length: width }, (_, k) => x[item * width + k]! * wt[k * 8 + d]!).reduce((a, b) => a + b, 0));
    const s = (v: number[]) => v.reduce((a, x, d) => a + x * zu[d]!, 0);
    expect(even!.map((e) => e.modality).sort()).toEqual(['image', 'text']);
    expect(even!.find((e) => e.modality === 'image')!.effect).toBeCloseTo(s(proj(image, wImage, 3, 6)), 4);
    expect(even!.find((e) => e.modality === 'text')!.effect).toBeCloseTo(s(proj(text, wText, 4, 6)), 4);
    expect(odd!.map((e) => e.modality)).toEqual(['text']);
  });

  it('is wired from the serving bundle and the features folder; a tower without features fails at start', async () => {
    const w = await tinyWorld();
    const bytes: { out?: Uint8Array } = {};
    await tower(8, bytes);
    const dir = mkdtempSync(join(tmpdir(), 'llmrec-tower-'));
    writeFileSync(join(dir, 'tower.onnx'), bytes.out!);
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    writeFileSync(join(dir, 'serving-bundle.json'), JSON.stringify({ dataset: 'tiny', contentTower: { path: 'tower.onnx', sha256: sha(bytes.out!), output: 'z_item' } }));
    await expect(contentAttributionFromEnv(dir, w.model, { LLMREC_FEATURES: join(dir, 'nowhere') })).rejects.toThrow(/LLMREC_FEATURES/);
    const feats = join(dir, 'features');
    mkdirSync(feats);
    const table = (name: string, width: number) => {
      const data = encodeNpy(Float32Array.from({ length: 40 * width }, (_, i) => (i % 7) / 7), [40, width]);
      writeFileSync(join(feats, `${name}.npy`), data);
      writeFileSync(join(feats, `${name}-present.npy`), encodeNpy(new Int8Array(40).fill(1), [40]));
      return { encoder: { id: 'test', source: 'test', onnxSha256: sha(bytes.out!), dim: width }, file: `${name}.npy`, fileSha256: sha(data), present: `${name}-present.npy`, input: 'test', count: { present: 40, missing: 0 }, notes: [] };
    };
    writeFileSync(join(feats, 'features.json'), JSON.stringify({ v: 1, kind: 'llmrec-features', dataset: 'tiny', items: 40, itemsSha256: sha(bytes.out!), createdAt: new Date(0).toISOString(), modalities: { text: table('text', 4), image: table('image', 3) } }));
    const content = await contentAttributionFromEnv(dir, w.model, { LLMREC_FEATURES: feats });
    const [e] = await content!([1, 2], [5]);
    expect(e!.map((x) => x.modality).sort()).toEqual(['image', 'text']);
    writeFileSync(join(dir, 'serving-bundle.json'), JSON.stringify({ dataset: 'tiny', contentTower: { path: 'tower.onnx', sha256: '0'.repeat(64) } }));
    await expect(contentAttributionFromEnv(dir, w.model, { LLMREC_FEATURES: feats })).rejects.toThrow(/hash mismatch/);
    writeFileSync(join(dir, 'serving-bundle.json'), JSON.stringify({ dataset: 'tiny' }));
    expect(await contentAttributionFromEnv(dir, w.model, {})).toBeUndefined();
  });
});
