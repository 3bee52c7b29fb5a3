// Public surface of the frozen content encoders (issue 10 part 1): the slot contract, the built-in and ONNX-export
// encoders, the input decoders and whole-dataset feature extraction.
export type { AudioClip, AudioEncoder, ContentEncoder, EncoderOptions, ImageEncoder, ModalityInput, TextEncoder } from './encoder.ts';
export { openEncoder, BUILTIN_ENCODERS, EncoderSpecError } from './encoder-spec.ts';
export { extractFeatures, type ExtractOptions, type ExtractResult, type FeatureItem, type EncoderSet } from './extract.ts';
export { itemText, ITEM_TEXT_DESCRIPTION } from './item-text.ts';
export { decodeImage, ImageDecodeError, type DecodedImage } from './image-input.ts';
export { decodeWav, encodeWav16, resample, AudioDecodeError } from './audio-input.ts';
export { createUseLiteEncoder, convertUseLite } from './use-lite-encoder.ts';
export { createMobileNetEncoder, convertMobileNet } from './mobilenet-encoder.ts';
export { createBasicPitchEncoder, convertBasicPitch } from './basic-pitch-encoder.ts';
