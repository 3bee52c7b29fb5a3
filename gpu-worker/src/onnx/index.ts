// Public surface of the worker's ONNX Runtime module (the only place that imports onnxruntime-node).
export { createSession, checkInputs, run, release, cudaListed, cudaMissingReason, OnnxInputError } from './session.ts';
export type { Device, Provider, Tensor, TensorType, SessionOptions, OnnxSession } from './session.ts';
export { float32, int64, int32, asFloat32 } from './tensor.ts';
export { createSentenceEncoder, loadWordPiece, tokenize } from './sentence-encoder.ts';
export type { SentenceEncoder, WordPiece } from './sentence-encoder.ts';
