// The ONLY module that imports onnxruntime-node: session creation with execution-provider choice
// (cuda -> cpu, the choice reported to callers), input-name checks before every run, typed tensors.
// Serves every ONNX graph of the method: the SASRec user encoder, the base aligner (z_u), the
// frozen LLM decoder and the adapters.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';

export type Device = 'auto' | 'cuda' | 'cpu';
export type Provider = 'cuda' | 'cpu';
export type Tensor = ort.Tensor;
export type TensorType = ort.Tensor.Type;

export interface SessionOptions {
  /** 'auto' tries CUDA when the runtime has it and falls back to CPU; 'cuda' fails if CUDA cannot load. */
  device?: Device;
  /** Intra-op threads (CPU provider); default: onnxruntime's own choice. */
  threads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

export interface OnnxSession {
  readonly session: ort.InferenceSession;
  /** The execution provider the session actually runs on. */
  readonly provider: Provider;
  /** Why CUDA was not used when device was 'auto' (undefined when CUDA runs or was not asked for). */
  readonly fallbackReason?: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Where the model came from (path, or '<bytes>'). */
  readonly source: string;
}

export class OnnxInputError extends Error {
  constructor(message: string, readonly missing: string[], readonly unexpected: string[]) {
    super(message);
    this.name = 'OnnxInputError';
  }
}

/** True when this onnxruntime-node build lists CUDA at all (bundled or installed by postinstall). */
export function cudaListed(): boolean {
  return ort.listSupportedBackends().some((b) => b.name === 'cuda');
}

/** Why CUDA cannot load here, checked without trying (a failed try makes onnxruntime print a native error);
 * undefined when the CUDA provider library is installed next to the binding. */
export function cudaMissingReason(): string | undefined {
  if (!cudaListed()) return 'CUDA execution provider not present in this onnxruntime-node build';
  if (process.platform !== 'linux') return undefined;
  try {
    const dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
    const lib = join(dist, '..', 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so');
    return existsSync(lib) ? undefined : `CUDA provider library not installed (${lib}; install onnxruntime-node without ONNXRUNTIME_NODE_INSTALL=skip on a CUDA machine)`;
  } catch {
    return undefined;
  }
}

async function open(model: string | Uint8Array, provider: Provider, opts: SessionOptions, quiet: boolean) {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
    ...(opts.threads ? { intraOpNumThreads: opts.threads } : {}),
    ...(quiet ? { logSeverityLevel: 4 as const } : {}),
  };
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
}

/** Opens an ONNX model (file path or bytes) on the requested device and reports the provider used. */
export async function createSession(model: string | Uint8Array, opts: SessionOptions = {}): Promise<OnnxSession> {
  const device = opts.device ?? 'auto';
  const source = typeof model === 'string' ? model : '<bytes>';
  let provider: Provider = 'cpu';
  let fallbackReason: string | undefined;
  let session: ort.InferenceSession | undefined;
  const missing = device === 'auto' ? cudaMissingReason() : undefined;
  if (device === 'cuda' || (device === 'auto' && !missing)) {
    try {
      session = await open(model, 'cuda', opts, device === 'auto');
      provider = 'cuda';
    } catch (err) {
      if (device === 'cuda') throw new Error(`CUDA execution provider unavailable for ${source}: ${(err as Error).message}`);
      fallbackReason = (err as Error).message.split('\n')[0];
    }
  } else if (device === 'auto') {
    fallbackReason = missing;
  }
  session ??= await open(model, 'cpu', opts, false);
  return { session, provider, fallbackReason, inputNames: [...session.inputNames], outputNames: [...session.outputNames], source };
}

/** Throws OnnxInputError unless `feeds` names exactly the session's inputs. */
export function checkInputs(s: OnnxSession, feeds: Record<string, unknown>): void {
  const given = Object.keys(feeds);
  const missing = s.inputNames.filter((n) => !given.includes(n));
  const unexpected = given.filter((n) => !s.inputNames.includes(n));
  if (missing.length || unexpected.length) {
    throw new OnnxInputError(
      `ONNX inputs mismatch for ${s.source}: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}] (expects [${s.inputNames.join(', ')}])`,
      missing,
      unexpected,
    );
  }
}

/** Runs the session after checking input names; returns the requested (default: all) outputs. */
export async function run(s: OnnxSession, feeds: Record<string, Tensor>, outputs?: string[]): Promise<Record<string, Tensor>> {
  checkInputs(s, feeds);
  if (outputs) {
    const bad = outputs.filter((o) => !s.outputNames.includes(o));
    if (bad.length) throw new OnnxInputError(`unknown ONNX outputs [${bad.join(', ')}] for ${s.source} (has [${s.outputNames.join(', ')}])`, [], bad);
  }
  const res = outputs ? await s.session.run(feeds, outputs) : await s.session.run(feeds);
  return res as Record<string, Tensor>;
}

export async function release(s: OnnxSession): Promise<void> {
  await s.session.release();
}
