// Test helper: a projector folder (projector.onnx, projector.json, item/user latents) with random linear
// heads, built in TypeScript so ranking tests need no Python.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, GraphBuilder } from '../onnx-graph/graph-builder.ts';
import { writeModel } from '../onnx-graph/model-io.ts';
import { writeNpy } from '../model/npy.ts';
import { seededRandom } from '../runtime/sampling.ts';

export function tinyProjectors(items: number, tokenDim: number, latentDim = 128): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmrec-proj-'));
  const r = seededRandom(3);
  const rand = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
  const g = new GraphBuilder('projectors');
  const x = g.input('latent', DataType.FLOAT, ['n', latentDim]);
  for (const k of ['user_token', 'item_token', 'evidence_token']) {
    g.op('MatMul', [x, g.float(`w_${k}`, rand(latentDim * tokenDim, 0.1), [latentDim, tokenDim])], {}, [k]);
    g.output(k, DataType.FLOAT, ['n', tokenDim]);
  }
  writeModel(join(dir, 'projector.onnx'), g.model());
  writeNpy(join(dir, 'item_latents.npy'), rand(items * latentDim, 1), [items, latentDim]);
  writeFileSync(join(dir, 'projector.json'), JSON.stringify({ version: 1, latentDim, tokenDim, kinds: ['user', 'item', 'evidence'], latents: 'random (test)' }));
  return dir;
}
