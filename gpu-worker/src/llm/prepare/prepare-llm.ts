// prepare-llm: rewrites a text-only decoder export (input_ids -> embedding Gather -> ...) so that it takes
// `inputs_embeds` instead, and saves the embedding table beside it. Any exported Llama/Qwen/SmolLM/OPT
// decoder thereby accepts soft tokens (projected user/item/evidence latents) without Python.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataType } from '../onnx-graph/onnx-schema.ts';
import { readModel, tensorFloat32, writeModel, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../onnx-graph/model-io.ts';
import { valueInfo } from '../onnx-graph/graph-builder.ts';
import { writeNpy } from '../model/npy.ts';
import { LLMREC_CONFIG_VERSION } from '../model/model-config.ts';

export class PrepareError extends Error {}

export interface PrepareOptions {
  input: string;
  outDir: string;
  /** Name of the token-id input (default input_ids). */
  idsInput?: string;
  /** Force external data for the rewritten model (default: when the source used it or is > 1.5 GB). */
  externalData?: boolean;
  log?: (msg: string) => void;
}

export interface PrepareReport {
  model: string;
  table: string;
  vocab: number;
  hidden: number;
  /** The table is still used inside the graph (tied LM head), so it stays there too. */
  tied: boolean;
  rewrittenShapeNodes: number;
  externalData: boolean;
}

const PASS_THROUGH = new Set(['Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Identity']);

function consumers(g: GraphProto, name: string): NodeProto[] {
  return (g.node ?? []).filter((n) => n.input?.includes(name));
}

/** Follows input_ids through value-preserving ops to the Gather that reads the embedding table. */
function findEmbeddingGather(g: GraphProto, ids: string, inits: Map<string, TensorProto>): { gather: NodeProto; chain: NodeProto[] } {
  const queue: { name: string; chain: NodeProto[] }[] = [{ name: ids, chain: [] }];
  while (queue.length) {
    const { name, chain } = queue.shift()!;
    for (const n of consumers(g, name)) {
      if (n.opType === 'Gather' && n.input?.[1] === name && (inits.get(n.input[0]!)?.dims?.length ?? 0) === 2) return { gather: n, chain };
      if (PASS_THROUGH.has(n.opType) && n.input?.[0] === name && chain.length < 4) queue.push({ name: n.output![0]!, chain: [...chain, n] });
    }
  }
  throw new PrepareError(`no embedding Gather found downstream of '${ids}' (a Gather over a [vocab, hidden] initializer)`);
}

function attrInt(n: NodeProto, name: string): number | undefined {
  return n.attribute?.find((a) => a.name === name)?.i;
}

export function prepareLlm(opts: PrepareOptions): PrepareReport {
  const log = opts.log ?? (() => {});
  const srcDir = dirname(opts.input);
  const model = readModel(opts.input);
  const g = model.graph;
  if (!g) throw new PrepareError(`${opts.input}: no graph`);
  const ids = opts.idsInput ?? 'input_ids';
  const idsInfo = g.input?.find((i) => i.name === ids);
  if (!idsInfo) {
    if (g.input?.some((i) => i.name === 'inputs_embeds')) throw new PrepareError(`${opts.input}: already takes inputs_embeds; nothing to rewrite`);
    throw new PrepareError(`${opts.input}: no '${ids}' input (inputs: ${(g.input ?? []).map((i) => i.name).join(', ')})`);
  }
  const inits = new Map((g.initializer ?? []).map((t) => [t.name!, t]));
  const { gather, chain } = findEmbeddingGather(g, ids, inits);
  const tableInit = inits.get(gather.input![0]!)!;
  const [vocab, hidden] = tableInit.dims as [number, number];
  log(`embedding table '${tableInit.name}' [${vocab}, ${hidden}] read by ${gather.name ?? gather.opType}`);
  const table = tensorFloat32(tableInit, srcDir);

  // The Gather's output becomes the new graph input; the id chain feeding it is dropped. The input is always
  // float32 (the runtime's soft tokens); half-precision models get a Cast right after it.
  const embeds = 'inputs_embeds';
  const gatherOut = gather.output![0]!;
  const dropped = new Set<NodeProto>([gather, ...chain]);
  let nodes = (g.node ?? []).filter((n) => !dropped.has(n));
  const half = tableInit.dataType === DataType.FLOAT16 || tableInit.dataType === DataType.BFLOAT16;
  const embedsValue = half ? `${embeds}_cast` : embeds;
  for (const n of nodes) n.input = n.input?.map((x) => (x === gatherOut ? embedsValue : x));
  if (half) nodes.unshift({ opType: 'Cast', name: 'inputs_embeds_cast', input: [embeds], output: [embedsValue], attribute: [{ name: 'to', type: 2, i: tableInit.dataType! }] });
  for (const o of g.output ?? []) if (o.name === gatherOut) throw new PrepareError(`the embedding output '${gatherOut}' is a graph output; cannot rewrite`);

  // Remaining uses of input_ids (and of the chain outputs) may only ask for its shape: [batch, seq] of inputs_embeds.
  const idNames = new Set([ids, ...chain.map((n) => n.output![0]!)]);
  let rewrittenShapeNodes = 0;
  for (const n of nodes) {
    const used = n.input?.filter((x) => idNames.has(x)) ?? [];
    if (!used.length) continue;
    if (n.opType !== 'Shape') throw new PrepareError(`'${ids}' is also read by ${n.opType} node '${n.name ?? ''}'; only Shape uses can be rewritten`);
    const start = attrInt(n, 'start') ?? 0;
    const end = attrInt(n, 'end');
    n.input = [embeds];
    n.attribute = [...(n.attribute ?? []).filter((a) => a.name !== 'end' && a.name !== 'start'), { name: 'start', type: 2, i: start }, { name: 'end', type: 2, i: end === undefined || end > 2 || end < 0 ? 2 : end }];
    rewrittenShapeNodes++;
  }
  const idDims = idsInfo.type?.tensorType?.shape?.dim ?? [];
  const dimOf = (i: number, fallback: string) => idDims[i]?.dimParam ?? idDims[i]?.dimValue ?? fallback;
  const newInput: ValueInfoProto = valueInfo(embeds, DataType.FLOAT, [dimOf(0, 'batch_size'), dimOf(1, 'sequence_length'), hidden]);
  g.input = (g.input ?? []).map((i) => (i.name === ids ? newInput : i));
  const tied = nodes.some((n) => n.input?.includes(tableInit.name!));
  if (!tied) g.initializer = (g.initializer ?? []).filter((t) => t !== tableInit);
  g.node = nodes;
  nodes = [];

  const external = opts.externalData ?? ((g.initializer ?? []).some((t) => t.dataLocation === 1) || (g.initializer ?? []).reduce((s, t) => s + (t.rawData?.length ?? 0), 0) > 1.5e9);
  const onnxDir = join(opts.outDir, 'onnx');
  mkdirSync(onnxDir, { recursive: true });
  const modelPath = join(onnxDir, 'model.onnx');
  writeModel(modelPath, model, { sourceDir: srcDir, ...(external ? { externalDataThreshold: 1024 } : {}) });
  const tablePath = join(onnxDir, 'embed_tokens.npy');
  writeNpy(tablePath, table, [vocab, hidden]);
  log(`wrote ${modelPath}${external ? ' (+ external data)' : ''} and ${tablePath}`);

  // config.json / tokenizer.json: taken from the Hugging Face folder around the export when present.
  const hfDir = [srcDir, dirname(srcDir)].find((d) => existsSync(join(d, 'config.json')));
  const pastKeys = (g.input ?? []).filter((i) => /^past_key_values\.\d+\.key$/.test(i.name));
  const kvDims = pastKeys[0]?.type?.tensorType?.shape?.dim ?? [];
  const config: Record<string, unknown> = hfDir
    ? JSON.parse(readFileSync(join(hfDir, 'config.json'), 'utf8'))
    : { model_type: 'decoder', hidden_size: hidden, vocab_size: vocab, num_hidden_layers: Math.max(1, pastKeys.length), num_attention_heads: kvDims[1]?.dimValue ?? 1, num_key_value_heads: kvDims[1]?.dimValue ?? 1, head_dim: kvDims[3]?.dimValue ?? hidden };
  config.llmrec = { version: LLMREC_CONFIG_VERSION, decoder: 'onnx/model.onnx', embed_tokens: 'onnx/embed_tokens.npy', source: opts.input };
  writeFileSync(join(opts.outDir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json']) {
    const src = [srcDir, dirname(srcDir)].map((d) => join(d, f)).find((p) => existsSync(p));
    if (src) copyFileSync(src, join(opts.outDir, f));
  }
  return { model: modelPath, table: tablePath, vocab, hidden, tied, rewrittenShapeNodes, externalData: external };
}
