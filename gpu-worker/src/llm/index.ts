// Public surface of the worker's frozen-LLM runtime (soft-promptable ONNX decoder, tokenizer,
// KV-cached generation, graph conversion). Other worker modules and the CLI import from here.
export { loadModel, ModelFolderError, type LoadedLlm, type LoadOptions } from './model/load-model.ts';
export { resolveModelDir, llmrecHome } from './model/resolve-model.ts';
export { readNpy, writeNpy } from './model/npy.ts';
export { convertLlama2c } from './convert/convert-llama2c.ts';
export { embedTokens, emptyCache, forward, type KvCache, type ForwardResult } from './runtime/decoder.ts';
export { generate, generateStream, completeText, promptEmbeds, type PromptPart, type GenerateOptions, type GeneratedToken } from './runtime/generate.ts';
export { Sampler, argmax, logSoftmax, seededRandom, type SamplingOptions } from './runtime/sampling.ts';
export { HfTokenizer } from './tokenizer/hf-tokenizer.ts';
export { StreamingDecoder, type TextTokenizer } from './tokenizer/text-tokenizer.ts';
export { tokenizerFromJson, tokenizerJsonFromLlama2c } from './tokenizer/tokenizer-json.ts';
