// The content tower (issue 10 -> 11): an ONNX graph that maps an item's content features into the joint latent
// of the serving bundle — inputs one float32 tensor per modality `<modality>` [B, dim] plus
// `<modality>_present` [B] (0/1), output `z_item` [B, D], the same space as the user encoder's z_u. The fusion
// step exports it into the serving bundle (field `contentTower`); the worker embeds items created or changed
// through PUT /v1/items with it, so they are recommendable without retraining.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { Modality, MODALITIES } from '@llmrec/shared/features.ts';
import { SERVING_BUNDLE_FILE } from '@llmrec/shared/api/serving-bundle.ts';
import { asFloat32, createSession, float32, run, type Device, type OnnxSession } from '../onnx/index.ts';

/** How a serving bundle names its content tower (read from the bundle JSON beside the fields the worker already reads). */
export const ContentTowerRef = z.object({
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  output: z.string().default('z_item'),
});

export interface ContentTower {
  /** sha256 of the ONNX file (recorded with every embedding). */
  readonly id: string;
  /** Modalities the tower reads, with their feature width. */
  readonly inputs: readonly { modality: Modality; dim: number }[];
  /** Width of z_item. */
  readonly dim: number;
  /** z_item [B, dim] for B items; `features[m]` is [B, dim_m] (rows of absent modalities are ignored), `present[m]` [B]. */
  embed(batch: number, features: Partial<Record<Modality, Float32Array>>, present: Partial<Record<Modality, Float32Array>>): Promise<Float32Array>;
  close(): Promise<void>;
}

export class ContentTowerError extends Error {}

/** Opens a tower from ONNX bytes and checks its I/O against the contract. */
export async function openContentTower(bytes: Uint8Array, opts: { output?: string; device?: Device; threads?: number } = {}): Promise<ContentTower> {
  const id = createHash('sha256').update(bytes).digest('hex');
  const session: OnnxSession = await createSession(bytes, { device: opts.device ?? 'auto', threads: opts.threads ?? 1 });
  const output = opts.output ?? 'z_item';
  if (!session.outputNames.includes(output)) throw new ContentTowerError(`content tower has outputs [${session.outputNames}], expected ${output}`);
  const meta = new Map(session.session.inputMetadata.map((m) => [m.name, m]));
  const inputs: { modality: Modality; dim: number }[] = [];
  for (const name of session.inputNames) {
    if (name.endsWith('_present')) continue;
    const mod = Modality.safeParse(name);
    if (!mod.success) throw new ContentTowerError(`content tower input '${name}' is not a modality (${MODALITIES.join(', ')}) or <modality>_present`);
    if (!session.inputNames.includes(`${name}_present`)) throw new ContentTowerError(`content tower has '${name}' but no '${name}_present' input`);
    const m = meta.get(name);
    const shape = m && 'shape' in m ? (m.shape as readonly (number | string)[]) : [];
    const dim = shape[1];
    if (typeof dim !== 'number') throw new ContentTowerError(`content tower input '${name}' has no fixed feature width (shape [${shape.join(', ')}])`);
    inputs.push({ modality: mod.data, dim });
  }
  if (inputs.length === 0) throw new ContentTowerError('content tower has no modality input');
  const om = session.session.outputMetadata.find((m) => m.name === output);
  const oshape = om && 'shape' in om ? (om.shape as readonly (number | string)[]) : [];
  const dim = typeof oshape[1] === 'number' ? oshape[1] : 0;
  return {
    id,
    inputs,
    dim,
    async embed(batch, features, present) {
      const feeds: Record<string, ReturnType<typeof float32>> = {};
      for (const { modality, dim: d } of inputs) {
        const x = features[modality] ?? new Float32Array(batch * d);
        const p = present[modality] ?? new Float32Array(batch);
        if (x.length !== batch * d) throw new ContentTowerError(`${modality} features: ${x.length} values for ${batch} items x ${d}`);
        feeds[modality] = float32(x, [batch, d]);
        feeds[`${modality}_present`] = float32(p, [batch]);
      }
      const out = await run(session, feeds, [output]);
      const z = asFloat32(out[output]!);
      if (z.length % batch !== 0) throw new ContentTowerError(`content tower returned ${z.length} values for ${batch} items`);
      return z;
    },
    async close() {
      await session.session.release();
    },
  };
}

/** The content tower named by a serving bundle (`contentTower` in serving-bundle.json), hash-checked; null when the bundle has none. */
export async function loadBundleContentTower(bundleDir: string, opts: { device?: Device; threads?: number } = {}): Promise<ContentTower | null> {
  const manifest = bundleDir.endsWith('.json') ? bundleDir : join(bundleDir, SERVING_BUNDLE_FILE);
  const raw = JSON.parse(readFileSync(manifest, 'utf8')) as { contentTower?: unknown };
  if (raw.contentTower === undefined) return null;
  const ref = ContentTowerRef.safeParse(raw.contentTower);
  if (!ref.success) throw new ContentTowerError(`${manifest}: contentTower: ${ref.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const path = isAbsolute(ref.data.path) ? ref.data.path : join(dirname(manifest), ref.data.path);
  const bytes = readFileSync(path);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== ref.data.sha256) throw new ContentTowerError(`hash mismatch for ${path}: bundle says ${ref.data.sha256.slice(0, 12)}..., file is ${sha.slice(0, 12)}...`);
  return openContentTower(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { output: ref.data.output, ...opts });
}
