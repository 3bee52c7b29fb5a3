// `--model sasrec`: the frozen SASRec backbone trained by `llmrec train`, scored through its exported ONNX graph
// (history -> scores over all items) in onnxruntime-node. Also hosts the loader of the trained artifacts
// (manifest + sha256 checks) that the aligner models reuse.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asFloat32, createSession, int64, run, type OnnxSession } from '@llmrec/gpu-worker/onnx/index.ts';
import { ARTIFACTS_MANIFEST_FILE, artifactsDir, padHistories, parseArtifactsManifest, type ArtifactName, type ArtifactsManifest } from '@llmrec/shared/artifacts.ts';
import type { FitContext, ModelSpec } from './types.ts';

export interface TrainedArtifacts {
  dir: string;
  manifest: ArtifactsManifest;
  /** Reads a file named by the manifest after checking its sha256. */
  read(name: ArtifactName): Buffer;
  session(name: 'sasrecEncoder' | 'userEncoder' | 'contentTower' | 'fusionTower'): Promise<OnnxSession>;
}

export function loadTrainedArtifacts(ctx: FitContext): TrainedArtifacts {
  const dir = ctx.artifacts ?? artifactsDir(ctx.home, ctx.dataset.meta.name, ctx.split);
  const file = join(dir, ARTIFACTS_MANIFEST_FILE);
  if (!existsSync(file)) throw new Error(`no trained artifacts at ${dir}: run \`llmrec train --dataset ${ctx.dataset.meta.name} --split ${ctx.split}\` first (or the eval command that trains them)`);
  const manifest = parseArtifactsManifest(JSON.parse(readFileSync(file, 'utf8')), file);
  if (manifest.items !== ctx.dataset.nItems) throw new Error(`artifacts in ${dir} cover ${manifest.items} items, the dataset has ${ctx.dataset.nItems}: retrain`);
  const read = (name: ArtifactName) => {
    const f = manifest.files[name];
    if (!f) throw new Error(`${file} names no ${name} file: retrain`);
    const buf = readFileSync(join(dir, f.path));
    const got = createHash('sha256').update(buf).digest('hex');
    if (got !== f.sha256) throw new Error(`artifact ${f.path}: sha256 differs from ${file}`);
    return buf;
  };
  const session = async (name: 'sasrecEncoder' | 'userEncoder' | 'contentTower' | 'fusionTower') => {
    const s = await createSession(new Uint8Array(read(name)), { device: (process.env.LLMREC_DEVICE as 'auto' | 'cpu' | 'cuda' | undefined) ?? 'auto' });
    ctx.log(`${name}: onnxruntime ${s.provider}${s.fallbackReason ? ` (${s.fallbackReason})` : ''}`);
    return s;
  };
  ctx.log(`artifacts ${dir} (key ${manifest.key}, content features ${Object.entries(manifest.features.modalities).map(([k, f]) => `${k}:${f.encoder}`).join(', ')})`);
  return { dir, manifest, read, session };
}

/** Runs an exported history graph on a batch and returns the named float32 output. */
export async function runHistories(s: OnnxSession, histories: ArrayLike<number>[], maxlen: number, output: string): Promise<Float32Array> {
  const x = int64(padHistories(histories, maxlen), [histories.length, maxlen]);
  const out = await run(s, { history: x }, [output]);
  return asFloat32(out[output]!);
}

export const model: ModelSpec = {
  name: 'sasrec',
  description: 'SASRec backbone from `llmrec train` (ONNX scorer: history -> scores over all items)',
  async create(ctx) {
    const art = loadTrainedArtifacts(ctx);
    const s = await art.session('sasrecEncoder');
    const maxlen = art.manifest.input.maxlen;
    return {
      async score(req) {
        return Float32Array.from(await runHistories(s, req.histories, maxlen, 'scores'));
      },
      async close() {
        await s.session.release();
      },
    };
  },
};
