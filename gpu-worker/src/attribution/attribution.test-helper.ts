// Test helper: a small serving model whose user encoder is a real, non-linear ONNX graph
// (z_u = tanh(sum of the history's item embeddings)), so leave-one-out effects do not add up and attribution
// has something to measure; plus catalogue facts for explanation tests.
import { itemFacts } from '@llmrec/shared/evidence/item-facts.ts';
import type { ItemFacts } from '@llmrec/shared/evidence/schema.ts';
import { DataType, GraphBuilder } from '../llm/onnx-graph/graph-builder.ts';
import { encodeModel } from '../llm/onnx-graph/model-io.ts';
import { createLatentModel, type LatentModel } from '../model.ts';
import { createSession } from '../onnx/index.ts';
import { mulberry32 } from '@llmrec/shared/rng.ts';

export function tanhEncoderOnnx(table: Float32Array, dim: number): Uint8Array {
  const n = table.length / dim;
  const padded = new Float32Array((n + 1) * dim);
  padded.set(table, dim);
  const g = new GraphBuilder('tanh-sum-encoder');
  const x = g.input('history', DataType.INT64, ['batch', 'len']);
  const emb = g.op('Gather', [g.float('table', padded, [n + 1, dim]), x]);
  const sum = g.op('ReduceSum', [emb, g.ints([1])], { keepdims: { i: 0 } });
  g.op('Tanh', [sum], {}, ['z_u']);
  g.output('z_u', DataType.FLOAT, ['batch', dim]);
  return encodeModel(g.model());
}

export interface TinyWorld {
  model: LatentModel;
  facts: ItemFacts[];
  latents: Float32Array;
  dim: number;
  /** Runs of the encoder session so far (one per encodeUsers call). */
  runs: () => number;
}

/** n items with seeded latents (dim 8), a tanh-sum ONNX encoder over a scaled copy, genres in 4 groups. */
export async function tinyWorld(n = 40, dim = 8, seed = 5): Promise<TinyWorld> {
  const r = mulberry32(seed);
  const latents = Float32Array.from({ length: n * dim }, () => r() * 2 - 1);
  const enc = Float32Array.from(latents, (x) => x * 0.4);
  const session = await createSession(tanhEncoderOnnx(enc, dim), { device: 'cpu', threads: 1 });
  const model = createLatentModel({ version: 'tiny-v1', itemLatents: latents, dim, encoder: { session, input: 'history', output: 'z_u', maxlen: 50 } });
  let runs = 0;
  const encodeUsers = model.encodeUsers.bind(model);
  const counted: LatentModel = { ...model, encodeUsers: async (h) => (runs++, encodeUsers(h)) };
  const facts = Array.from({ length: n }, (_, i) => itemFacts({ idx: i, id: `i${i}`, title: `Title ${i} (19${50 + i})`, text: { genres: [['Drama', 'Comedy', 'Horror', 'Western'][i % 4]!], director: [`Director ${String.fromCharCode(65 + (i % 5))}`] } }));
  return { model: counted, facts, latents, dim, runs: () => runs };
}
