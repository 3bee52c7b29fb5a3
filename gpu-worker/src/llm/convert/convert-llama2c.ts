// Converts a llama2.c checkpoint + tokenizer (stories260K) into the soft-promptable model folder:
// config.json, tokenizer.json, onnx/model.onnx (inputs_embeds contract), onnx/embed_tokens.npy.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeModel } from '../onnx-graph/model-io.ts';
import { writeNpy } from '../model/npy.ts';
import { LLMREC_CONFIG_VERSION } from '../model/model-config.ts';
import { tokenizerJsonFromLlama2c } from '../tokenizer/tokenizer-json.ts';
import { parseLlama2c } from './llama2c-checkpoint.ts';
import { buildLlamaDecoder, RMS_EPS, ROPE_THETA } from './llama-decoder-graph.ts';

export interface ConvertLlama2cArgs {
  checkpoint: string;
  tokenizer: string;
  outDir: string;
}

export function convertLlama2c({ checkpoint, tokenizer, outDir }: ConvertLlama2cArgs): string {
  const { config, weights } = parseLlama2c(readFileSync(checkpoint));
  mkdirSync(join(outDir, 'onnx'), { recursive: true });
  writeModel(join(outDir, 'onnx', 'model.onnx'), buildLlamaDecoder(config, weights));
  writeNpy(join(outDir, 'onnx', 'embed_tokens.npy'), weights.tokenEmbedding.slice(), [config.vocabSize, config.dim]);
  writeFileSync(join(outDir, 'tokenizer.json'), JSON.stringify(tokenizerJsonFromLlama2c(readFileSync(tokenizer), config.vocabSize)));
  const hf = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: config.dim,
    intermediate_size: config.hiddenDim,
    num_hidden_layers: config.nLayers,
    num_attention_heads: config.nHeads,
    num_key_value_heads: config.nKvHeads,
    head_dim: config.dim / config.nHeads,
    vocab_size: config.vocabSize,
    max_position_embeddings: config.seqLen,
    rms_norm_eps: RMS_EPS,
    rope_theta: ROPE_THETA,
    bos_token_id: 1,
    eos_token_id: 2,
    tie_word_embeddings: config.sharedClassifier,
    torch_dtype: 'float32',
    llmrec: { version: LLMREC_CONFIG_VERSION, decoder: 'onnx/model.onnx', embed_tokens: 'onnx/embed_tokens.npy', source: 'llama2.c checkpoint' },
  };
  writeFileSync(join(outDir, 'config.json'), JSON.stringify(hf, null, 2) + '\n');
  return outDir;
}
