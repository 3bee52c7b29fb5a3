// Loads the worker's serving model from a bundle manifest (shared/src/api/serving-bundle.ts): every file's
// sha256 is checked before use, the user encoder opens on the execution provider chosen at start (cuda when
// present, else cpu), and its input/output names are checked against the manifest.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { SERVING_BUNDLE_FILE, ServingBundle } from '@llmrec/shared/api/serving-bundle.ts';
import { createLatentModel, type LatentModel } from './model.ts';
import { readNpyFloat32 } from './npy.ts';
import { createSession, type Device } from './onnx/index.ts';

export class ArtifactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactError';
  }
}

function readChecked(base: string, file: { path: string; sha256: string }): Buffer {
  const p = isAbsolute(file.path) ? file.path : join(base, file.path);
  let buf: Buffer;
  try {
    buf = readFileSync(p);
  } catch (err) {
    throw new ArtifactError(`cannot read artifact ${p}: ${(err as Error).message}`);
  }
  const got = createHash('sha256').update(buf).digest('hex');
  if (got !== file.sha256) throw new ArtifactError(`hash mismatch for ${p}: manifest says ${file.sha256.slice(0, 12)}..., file is ${got.slice(0, 12)}...`);
  return buf;
}

export function readBundle(manifestPath: string): ServingBundle {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new ArtifactError(`cannot read serving bundle ${manifestPath}: ${(err as Error).message}`);
  }
  const r = ServingBundle.safeParse(json);
  if (!r.success) throw new ArtifactError(`${manifestPath} is not a serving bundle v1: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** `dir` holds serving-bundle.json (or is the manifest path itself). */
export async function loadServingModel(dirOrManifest: string, opts: { device?: Device; threads?: number } = {}): Promise<LatentModel> {
  const manifestPath = dirOrManifest.endsWith('.json') ? dirOrManifest : join(dirOrManifest, SERVING_BUNDLE_FILE);
  const bundle = readBundle(manifestPath);
  const base = dirname(manifestPath);
  const lat = readNpyFloat32(readChecked(base, bundle.itemLatents));
  if (lat.shape.length !== 2 || lat.shape[0] !== bundle.itemLatents.items || lat.shape[1] !== bundle.itemLatents.dim) {
    throw new ArtifactError(`item latents have shape [${lat.shape}], manifest says [${bundle.itemLatents.items}, ${bundle.itemLatents.dim}]`);
  }
  let encoder;
  if (bundle.userEncoder) {
    const bytes = readChecked(base, bundle.userEncoder);
    const session = await createSession(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { device: opts.device ?? 'auto', ...(opts.threads ? { threads: opts.threads } : {}) });
    if (!session.inputNames.includes(bundle.userEncoder.input) || !session.outputNames.includes(bundle.userEncoder.output)) {
      throw new ArtifactError(`user encoder has inputs [${session.inputNames}] / outputs [${session.outputNames}], manifest names ${bundle.userEncoder.input} -> ${bundle.userEncoder.output}`);
    }
    encoder = { session, input: bundle.userEncoder.input, output: bundle.userEncoder.output, maxlen: bundle.userEncoder.maxlen };
  }
  return createLatentModel({ version: bundle.version, itemLatents: lat.data, dim: bundle.itemLatents.dim, encoder });
}
