// The frozen content encoders the worker runs on a new item before the content tower (issue 10's contract:
// the same encoders that produced the offline features, shared/src/features.ts, so online and offline item
// embeddings agree). The "encoders" package provides them (gpu-worker/src/encoders/, `extractFeatures`);
// the worker takes them as a dependency so tests and benchmarks can hand in fixtures of the same shape.
import type { Modality } from '@llmrec/shared/features.ts';

export interface ModalityEncoder<I> {
  /** Encoder id as in the features manifest (EncoderRef.id), recorded with each embedding. */
  readonly id: string;
  readonly dim: number;
  /** Features [inputs.length, dim]; a row of zeros where an input could not be used (with present = 0 from `usable`). */
  encode(inputs: readonly I[]): Promise<Float32Array>;
}

export interface ItemEncoders {
  text?: ModalityEncoder<string>;
  image?: ModalityEncoder<Uint8Array>;
  audio?: ModalityEncoder<Uint8Array>;
}

/** The modalities an encoder set can produce, with their widths. */
export function encoderDims(enc: ItemEncoders): Partial<Record<Modality, number>> {
  const out: Partial<Record<Modality, number>> = {};
  for (const m of ['text', 'image', 'audio'] as const) if (enc[m]) out[m] = enc[m]!.dim;
  return out;
}
