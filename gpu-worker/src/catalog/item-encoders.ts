// The frozen content encoders the worker runs on a new item before the content tower (issue 10's contract: the
// same encoders that produced the offline features, shared/src/features.ts, so online and offline embeddings of
// an item agree). The real ones are the "encoders" package's (gpu-worker/src/encoders: USE-lite text, MobileNetV2
// image, or a user's ONNX export), adapted here to what the item writer hands them — the item's text as the
// encoders compose it (encoders/item-text.ts itemText) and the image's raw bytes; tests and benchmarks hand in
// fixtures of the same shape.
import type { Modality } from '@llmrec/shared/features.ts';
import type { ContentEncoder, EncoderOptions } from '../encoders/encoder.ts';
import { openEncoder } from '../encoders/encoder-spec.ts';
import { decodeImage, ImageDecodeError } from '../encoders/image-input.ts';

export interface ModalityEncoder<I> {
  /** Encoder id as in the features manifest (EncoderRef.id), recorded with each embedding. */
  readonly id: string;
  readonly dim: number;
  /** Features [inputs.length, dim]. */
  encode(inputs: readonly I[]): Promise<Float32Array>;
  /** Opens the model now instead of at the first item write (lazy encoders). */
  open?(): Promise<void>;
  close?(): Promise<void>;
}

export interface ItemEncoders {
  text?: ModalityEncoder<string>;
  image?: ModalityEncoder<Uint8Array>;
}

/** An image the encoder cannot read although its signature passed (corrupt JPEG/PNG): `index` into the batch. */
export class UnreadableImageError extends Error {
  constructor(readonly index: number, reason: string) {
    super(reason);
    this.name = 'UnreadableImageError';
  }
}

/** The encoders package's text encoder, as the item writer calls it. */
export function textFrom(enc: ContentEncoder<'text'>): ModalityEncoder<string> {
  return { id: enc.ref.id, dim: enc.ref.dim, encode: (texts) => enc.encode([...texts]), close: () => enc.close() };
}

/** The encoders package's image encoder on raw bytes (decoded here; an unreadable image names its index). */
export function imageFrom(enc: ContentEncoder<'image'>): ModalityEncoder<Uint8Array> {
  return {
    id: enc.ref.id,
    dim: enc.ref.dim,
    async encode(images) {
      const decoded = images.map((b, i) => {
        try {
          return decodeImage(b);
        } catch (e) {
          if (e instanceof ImageDecodeError) throw new UnreadableImageError(i, e.message);
          throw e;
        }
      });
      return enc.encode(decoded);
    },
    close: () => enc.close(),
  };
}

/**
 * The encoders for the modalities a content tower reads (`dims`: modality -> feature width the tower expects),
 * opened on first use (a first-time model conversion takes seconds; a worker without item writes never pays it).
 * `specs`: an encoder spec per modality as `llmrec features` takes it (default: the built-in encoders).
 */
export function lazyEncoders(dims: Partial<Record<Modality, number>>, opts: EncoderOptions & { specs?: Partial<Record<Modality, string>> }): ItemEncoders {
  const out: ItemEncoders = {};
  const lazy = <I>(modality: 'text' | 'image', wrap: (e: never) => ModalityEncoder<I>): ModalityEncoder<I> => {
    let opened: Promise<ModalityEncoder<I>> | null = null;
    // The real encoder's id (as its features manifest names it) once opened: it is recorded with each embedding.
    let id = opts.specs?.[modality] ?? `${modality}-encoder`;
    const get = () =>
      (opened ??= openEncoder(modality, opts.specs?.[modality], opts).then(
        (e) => {
          if (e.ref.dim !== dims[modality]) throw new Error(`the ${modality} encoder ${e.ref.id} gives ${e.ref.dim} dims, the content tower reads ${dims[modality]}`);
          id = e.ref.id;
          return wrap(e as never);
        },
        (err: unknown) => {
          opened = null; // a failed open (e.g. a conversion interrupted) is tried again by the next write
          throw err;
        },
      ));
    return {
      get id() {
        return id;
      },
      dim: dims[modality]!,
      encode: async (xs) => (await get()).encode(xs),
      open: async () => void (await get()),
      close: async () => void (opened && (await (await opened).close?.())),
    };
  };
  if (dims.text !== undefined) out.text = lazy('text', textFrom);
  if (dims.image !== undefined) out.image = lazy('image', imageFrom);
  return out;
}

/** The modalities an encoder set can produce, with their widths. */
export function encoderDims(enc: ItemEncoders): Partial<Record<Modality, number>> {
  const out: Partial<Record<Modality, number>> = {};
  for (const m of ['text', 'image'] as const) if (enc[m]) out[m] = enc[m]!.dim;
  return out;
}
