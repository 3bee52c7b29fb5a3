import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asFloat32, createSession, float32, int64, run } from '../../onnx/index.ts';
import { DataType, GraphBuilder } from '../onnx-graph/graph-builder.ts';
import { readModel, writeModel } from '../onnx-graph/model-io.ts';
import { readNpy } from '../model/npy.ts';
import { seededRandom } from '../runtime/sampling.ts';
import { prepareLlm, PrepareError } from './prepare-llm.ts';

const V = 37;
const D = 12;

function randn(n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/** A text-only decoder as exporters write it: input_ids -> Cast -> Gather(table), tied LM head, Shape(input_ids). */
function tinyTextDecoder(dir: string, external: boolean): string {
  const g = new GraphBuilder('tiny_text_decoder');
  const ids = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch_size', 'total_sequence_length']);
  const past = g.input('past_key_values.0.key', DataType.FLOAT, ['batch_size', 2, 'past_sequence_length', 3]);
  const table = g.float('model.embed_tokens.weight', randn(V * D, 1), [V, D]);
  const x = g.op('Gather', [table, g.op('Cast', [ids], { to: { i: DataType.INT64 } })]);
  const h = g.op('Tanh', [g.op('MatMul', [x, g.float('w', randn(D * D, 2), [D, D])])]);
  const m = g.op('Unsqueeze', [g.op('Cast', [mask], { to: { i: DataType.FLOAT } }), g.ints([2])]);
  const keep = g.op('Slice', [m, g.ints([0]), g.op('Shape', [ids], { start: { i: 1 } }), g.ints([1])]);
  const logits = g.op('MatMul', [g.op('Mul', [h, g.op('ReduceMax', [keep], { axes: { ints: [1] }, keepdims: { i: 1 } })]), g.op('Transpose', [table], { perm: { ints: [1, 0] } })]);
  g.op('Reshape', [logits, g.op('Concat', [g.op('Shape', [ids]), g.ints([V])], { axis: { i: 0 } })], {}, ['logits']);
  g.op('Concat', [past, g.op('Reshape', [h, g.ints([0, 2, -1, 3])])], { axis: { i: 2 } }, ['present.0.key']);
  g.output('logits', DataType.FLOAT, ['batch_size', 'sequence_length', V]);
  g.output('present.0.key', DataType.FLOAT, ['batch_size', 2, 'total_sequence_length', 3]);
  const path = join(dir, 'onnx', 'model.onnx');
  writeModel(path, g.model(), external ? { externalDataThreshold: 256 } : {});
  writeFileSync(join(dir, 'tokenizer.json'), '{}');
  return path;
}

async function compare(external: boolean) {
  const src = mkdtempSync(join(tmpdir(), 'llmrec-prep-src-'));
  const out = mkdtempSync(join(tmpdir(), 'llmrec-prep-out-'));
  const input = tinyTextDecoder(src, external);
  if (external) expect(existsSync(`${input}.data`)).toBe(true);
  const report = prepareLlm({ input, outDir: out });
  expect(report).toMatchObject({ vocab: V, hidden: D, tied: true, externalData: external });
  expect(report.rewrittenShapeNodes).toBe(2);
  const before = await createSession(input, { device: 'cpu' });
  const after = await createSession(report.model, { device: 'cpu' });
  expect(after.inputNames).toContain('inputs_embeds');
  expect(after.inputNames).not.toContain('input_ids');
  const table = readNpy(report.table);
  expect(table.shape).toEqual([V, D]);
  const tokens = [3, 0, 36, 5, 5, 17, 2, 9];
  const embeds = new Float32Array(tokens.length * D);
  tokens.forEach((t, i) => embeds.set(table.data.subarray(t * D, (t + 1) * D), i * D));
  const common = { attention_mask: int64(tokens.map(() => 1), [2, 4]), 'past_key_values.0.key': float32(new Float32Array(0), [2, 2, 0, 3]) };
  const a = await run(before, { input_ids: int64(tokens, [2, 4]), ...common });
  const b = await run(after, { inputs_embeds: float32(embeds, [2, 4, D]), ...common });
  expect(b.logits!.dims).toEqual([2, 4, V]);
  expect(Array.from(asFloat32(b.logits!))).toEqual(Array.from(asFloat32(a.logits!)));
  expect(Array.from(asFloat32(b['present.0.key']!))).toEqual(Array.from(asFloat32(a['present.0.key']!)));
  expect(existsSync(join(out, 'tokenizer.json'))).toBe(true);
  expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).llmrec.version).toBe(1);
}

/** float32 -> IEEE half bits (round-to-nearest is not needed: values are generated as exact halves). */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign;
  return sign | (exp << 10) | ((x >>> 13) & 0x3ff);
}

describe('prepare-llm', () => {
  it('half-precision tables: float32 inputs_embeds cast inside the graph, identical logits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmrec-prep-half-'));
    const g = new GraphBuilder('half_decoder');
    const ids = g.input('input_ids', DataType.INT64, ['b', 's']);
    const vals = Array.from(randn(V * D, 5), (v) => Math.round(v * 64) / 64);
    g.initializers.push({ name: 'embed', dims: [V, D], dataType: DataType.FLOAT16, rawData: new Uint8Array(Uint16Array.from(vals, toHalf).buffer) });
    const x = g.op('Cast', [g.op('Gather', ['embed', ids])], { to: { i: DataType.FLOAT } });
    g.op('MatMul', [x, g.float('w', randn(D * V, 6), [D, V])], {}, ['logits']);
    g.output('logits', DataType.FLOAT, ['b', 's', V]);
    const input = join(dir, 'onnx', 'model.onnx');
    writeModel(input, g.model());
    const out = mkdtempSync(join(tmpdir(), 'llmrec-prep-half-out-'));
    const report = prepareLlm({ input, outDir: out });
    const table = readNpy(report.table);
    const tokens = [1, 4, 9];
    const embeds = new Float32Array(tokens.length * D);
    tokens.forEach((t, i) => embeds.set(table.data.subarray(t * D, (t + 1) * D), i * D));
    const a = await run(await createSession(input, { device: 'cpu' }), { input_ids: int64(tokens, [1, 3]) });
    const b = await run(await createSession(report.model, { device: 'cpu' }), { inputs_embeds: float32(embeds, [1, 3, D]) });
    expect(Array.from(asFloat32(b.logits!))).toEqual(Array.from(asFloat32(a.logits!)));
  });

  it('rewrites input_ids -> inputs_embeds with identical logits and cache outputs', () => compare(false));
  it('reads and writes external-data models', () => compare(true));
  it('refuses a model that already takes inputs_embeds, with a reason', () => {
    const src = mkdtempSync(join(tmpdir(), 'llmrec-prep-src-'));
    const input = tinyTextDecoder(src, false);
    const out = mkdtempSync(join(tmpdir(), 'llmrec-prep-out-'));
    prepareLlm({ input, outDir: out });
    expect(() => prepareLlm({ input: join(out, 'onnx', 'model.onnx'), outDir: mkdtempSync(join(tmpdir(), 'x-')) })).toThrow(PrepareError);
    expect(readModel(join(out, 'onnx', 'model.onnx')).graph?.input?.map((i) => i.name)).toContain('inputs_embeds');
  });
});

// A decoder exported by torch.onnx (the exporter people use), when /usr/bin/python3 has torch.
const torchPython = (() => {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0;
})();
if (!torchPython) console.warn('no /usr/bin/python3 with torch: skipping the torch-exported prepare-llm test');

describe.skipIf(!torchPython)('prepare-llm on a torch.onnx export', () => {
  it('rewrites the exporter graph with identical logits and KV outputs over two steps', async () => {
    const src = mkdtempSync(join(tmpdir(), 'llmrec-prep-torch-'));
    const script = join(fileURLToPath(new URL('.', import.meta.url)), '../../../../training/llm/export_tiny_decoder.py');
    const r = spawnSync('/usr/bin/python3', [script, src], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'llmrec-prep-torch-out-'));
    const report = prepareLlm({ input: join(src, 'onnx', 'model.onnx'), outDir: out });
    expect(report).toMatchObject({ vocab: 61, hidden: 16 });
    const before = await createSession(join(src, 'onnx', 'model.onnx'), { device: 'cpu' });
    const after = await createSession(report.model, { device: 'cpu' });
    const table = readNpy(report.table);
    const emb = (ids: number[]) => {
      const e = new Float32Array(ids.length * 16);
      ids.forEach((t, i) => e.set(table.data.subarray(t * 16, (t + 1) * 16), i * 16));
      return float32(e, [1, ids.length, 16]);
    };
    let pk = float32(new Float32Array(0), [1, 2, 0, 8]);
    let pv = pk;
    for (const ids of [[1, 7, 30, 60], [5, 2]]) {
      const total = Number(pk.dims[2]) + ids.length;
      const common = { attention_mask: int64(new Array(total).fill(1), [1, total]), 'past_key_values.0.key': pk, 'past_key_values.0.value': pv };
      const a = await run(before, { input_ids: int64(ids, [1, ids.length]), ...common });
      const b = await run(after, { inputs_embeds: emb(ids), ...common });
      expect(Array.from(asFloat32(b.logits!))).toEqual(Array.from(asFloat32(a.logits!)));
      expect(Array.from(asFloat32(b['present.0.key']!))).toEqual(Array.from(asFloat32(a['present.0.key']!)));
      pk = a['present.0.key']!;
      pv = a['present.0.value']!;
    }
  });
});
