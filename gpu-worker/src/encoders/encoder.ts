// The slot contract every frozen content encoder fills (issue 10 part 1): one modality, a reference naming the ONNX
// file that runs (shared/src/features.ts EncoderRef), and a batch encode into [n, dim] float32 rows. Built-in encoders
// (USE-lite, MobileNetV2, basic-pitch) and user-supplied Hugging Face ONNX exports implement the same interface, so
// feature extraction, the benchmark and the worker's online item embedding never branch on which one runs.
import type { EncoderRef, Modality } from '@llmrec/shared/features.ts';
import type { DecodedImage } from './image-input.ts';

export interface AudioClip {
  /** Mono samples in [-1, 1]. */
  samples: Float32Array;
  sampleRate: number;
}

export interface ModalityInput {
  text: string;
  image: DecodedImage;
  audio: AudioClip;
}

export interface ContentEncoder<M extends Modality = Modality> {
  readonly modality: M;
  readonly ref: EncoderRef;
  /** What the encoder reads, as the features manifest states it (e.g. 'poster JPEG/PNG, 224x224 centre crop, /255'). */
  readonly input: string;
  /** [inputs.length, ref.dim] row-major. */
  encode(inputs: Array<ModalityInput[M]>): Promise<Float32Array>;
  close(): Promise<void>;
}

export type TextEncoder = ContentEncoder<'text'>;
export type ImageEncoder = ContentEncoder<'image'>;
export type AudioEncoder = ContentEncoder<'audio'>;

export interface EncoderOptions {
  /** $LLMREC_HOME: converted models are cached under <home>/encoders/<id>/. */
  home: string;
  /** onnxruntime intra-op threads (default 2, the cores of the reference machine). */
  threads?: number;
  /** Rows per ONNX run. */
  batchSize?: number;
  /** Progress lines during a first-time conversion. */
  log?: (msg: string) => void;
}
