// Opens a model folder (config.json, tokenizer.json, decoder ONNX, embedding table) into a
// ready-to-run frozen LLM: the decoder session, tokenizer and the table for hard-token lookup.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSession, type Device, type OnnxSession } from '../../onnx/index.ts';
import { tokenizerFromJson } from '../tokenizer/tokenizer-json.ts';
import type { TextTokenizer } from '../tokenizer/text-tokenizer.ts';
import { ModelConfig, LlmrecBlock, type ModelConfigT } from './model-config.ts';
import { readNpy } from './npy.ts';

export interface LoadedLlm {
  dir: string;
  config: ModelConfigT;
  tokenizer: TextTokenizer;
  session: OnnxSession;
  /** [vocab][hidden] token-embedding table (row-major). */
  embeddings: Float32Array;
  hidden: number;
  nLayers: number;
  nKvHeads: number;
  headDim: number;
  eosIds: number[];
}

export interface LoadOptions {
  device?: Device;
  /** Intra-op threads; 1 is fastest for tiny decoders at batch 1. */
  threads?: number;
}

export class ModelFolderError extends Error {}

export async function loadModel(dir: string, opts: LoadOptions = {}): Promise<LoadedLlm> {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new ModelFolderError(`${dir}: no config.json (expected a model folder: config.json, tokenizer.json, onnx/model.onnx, onnx/embed_tokens.npy)`);
  const parsed = ModelConfig.safeParse(JSON.parse(readFileSync(cfgPath, 'utf8')));
  if (!parsed.success) throw new ModelFolderError(`${cfgPath}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = parsed.data;
  const block = config.llmrec ?? LlmrecBlock.parse({ version: 1 });
  const decoderPath = join(dir, block.decoder);
  const tablePath = join(dir, block.embed_tokens);
  for (const p of [decoderPath, tablePath, join(dir, 'tokenizer.json')]) {
    if (!existsSync(p)) throw new ModelFolderError(`${dir}: missing ${p} (run \`llmrec prepare-llm\` on a text-only export first)`);
  }
  const table = readNpy(tablePath);
  if (table.shape.length !== 2 || table.shape[1] !== config.hidden_size) throw new ModelFolderError(`${tablePath}: shape [${table.shape}] does not match hidden_size ${config.hidden_size}`);
  const session = await createSession(decoderPath, { device: opts.device ?? 'cpu', threads: opts.threads ?? 1 });
  for (const need of ['inputs_embeds', 'attention_mask', 'logits']) {
    if (!session.inputNames.includes(need) && !session.outputNames.includes(need)) throw new ModelFolderError(`${decoderPath}: not a soft-promptable decoder (no '${need}'); run \`llmrec prepare-llm\``);
  }
  const nLayers = session.inputNames.filter((n) => /^past_key_values\.\d+\.key$/.test(n)).length;
  const eos = config.eos_token_id;
  return {
    dir,
    config,
    tokenizer: tokenizerFromJson(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), { bosId: config.bos_token_id, eosId: Array.isArray(eos) ? eos[0] : eos }),
    session,
    embeddings: table.data,
    hidden: config.hidden_size,
    nLayers,
    nKvHeads: config.num_key_value_heads ?? config.num_attention_heads,
    headDim: config.head_dim ?? config.hidden_size / config.num_attention_heads,
    eosIds: eos == null ? [] : Array.isArray(eos) ? eos : [eos],
  };
}
