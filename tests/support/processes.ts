// Test support: a serving bundle written for a fixture catalog, and (from bench/lib/services.ts) the worker and
// the edge as real child processes so tests can SIGKILL them.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sumEncoderOnnx } from '@llmrec/gpu-worker/onnx/sum-encoder-onnx.ts';
import { writeNpyFloat32 } from '@llmrec/gpu-worker/npy.ts';
import type { Fixture } from './catalog-fixture.ts';

export { freePort, repoRoot, spawnService, spawnWorker, type Child } from '../../bench/lib/services.ts';

/** Writes serving-bundle.json + files for the fixture into `dir` (the ONNX sum encoder over the latents). */
export function writeFixtureBundle(dir: string, f: Fixture): void {
  const lat = writeNpyFloat32(f.itemLatents, [f.ids.length, f.dim]);
  const enc = sumEncoderOnnx(f.itemLatents, f.dim);
  writeFileSync(join(dir, 'item-latents.npy'), lat);
  writeFileSync(join(dir, 'user-encoder.onnx'), enc);
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  writeFileSync(
    join(dir, 'serving-bundle.json'),
    JSON.stringify({
      v: 1,
      kind: 'serving-bundle',
      version: f.version,
      dataset: 'fixture',
      source: 'baseline-bag-of-items',
      createdAt: new Date(0).toISOString(),
      itemLatents: { path: 'item-latents.npy', sha256: sha(lat), items: f.ids.length, dim: f.dim },
      userEncoder: { path: 'user-encoder.onnx', sha256: sha(enc), input: 'history', output: 'user_latent', maxlen: 50 },
    }),
  );
}

