// The model folder contract (Hugging Face layout): config.json, tokenizer.json, onnx/model.onnx and the
// token-embedding table beside it; validated with zod where it is read (artifacts from disk).
import { z } from 'zod';

export const LLMREC_CONFIG_VERSION = 1;

/** Our block inside config.json: where the soft-promptable decoder and its embedding table live. */
export const LlmrecBlock = z.object({
  version: z.literal(LLMREC_CONFIG_VERSION),
  decoder: z.string().default('onnx/model.onnx'),
  embed_tokens: z.string().default('onnx/embed_tokens.npy'),
});

export const ModelConfig = z.object({
  model_type: z.string(),
  hidden_size: z.number().int().positive(),
  num_hidden_layers: z.number().int().positive(),
  num_attention_heads: z.number().int().positive(),
  num_key_value_heads: z.number().int().positive().optional(),
  head_dim: z.number().int().positive().optional(),
  vocab_size: z.number().int().positive(),
  max_position_embeddings: z.number().int().positive().optional(),
  bos_token_id: z.number().int().nullable().optional(),
  eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).nullable().optional(),
  llmrec: LlmrecBlock.optional(),
});
export type ModelConfigT = z.infer<typeof ModelConfig>;
