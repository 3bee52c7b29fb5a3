// Which encoder fills each modality slot (issue 10 part 1): a spec string per modality, as `llmrec features
// --text-encoder ...` takes it. The built-in names select the converted npm models; `onnx:<dir>` selects a user's
// Hugging Face-layout ONNX export (hf-onnx-encoders.ts), which runs through the same slot contract.
import type { Modality } from '@llmrec/shared/features.ts';
import { createBasicPitchEncoder } from './basic-pitch-encoder.ts';
import type { ContentEncoder, EncoderOptions } from './encoder.ts';
import { createHfAudioEncoder, createHfImageEncoder, createHfTextEncoder } from './hf-onnx-encoders.ts';
import { createMobileNetEncoder } from './mobilenet-encoder.ts';
import { createUseLiteEncoder } from './use-lite-encoder.ts';

export const BUILTIN_ENCODERS: { [M in Modality]: { name: string; open: (o: EncoderOptions) => Promise<ContentEncoder<M>> } } = {
  text: { name: 'use-lite', open: createUseLiteEncoder },
  image: { name: 'mobilenet-v2', open: createMobileNetEncoder },
  audio: { name: 'basic-pitch', open: createBasicPitchEncoder },
};

const HF: { [M in Modality]: (dir: string, o: EncoderOptions) => Promise<ContentEncoder<M>> } = {
  text: createHfTextEncoder,
  image: createHfImageEncoder,
  audio: createHfAudioEncoder,
};

export class EncoderSpecError extends Error {}

/** Opens the encoder named by `spec` ('<built-in name>' or 'onnx:<dir>'; undefined = the built-in). */
export async function openEncoder<M extends Modality>(modality: M, spec: string | undefined, opts: EncoderOptions): Promise<ContentEncoder<M>> {
  const builtin = BUILTIN_ENCODERS[modality] as { name: string; open: (o: EncoderOptions) => Promise<ContentEncoder<M>> };
  if (spec === undefined || spec === builtin.name) return builtin.open(opts);
  if (spec.startsWith('onnx:')) {
    const dir = spec.slice('onnx:'.length);
    if (!dir) throw new EncoderSpecError(`${modality} encoder 'onnx:' needs a folder, e.g. onnx:./my-export`);
    return (HF[modality] as (d: string, o: EncoderOptions) => Promise<ContentEncoder<M>>)(dir, opts);
  }
  throw new EncoderSpecError(`unknown ${modality} encoder '${spec}' (use ${builtin.name} or onnx:<folder of a Hugging Face ONNX export>)`);
}
