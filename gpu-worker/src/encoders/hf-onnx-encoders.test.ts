// User-supplied Hugging Face-layout ONNX exports through the encoder slots, with tiny fixture models of the same I/O
// written here with the repository's ONNX writer: MiniLM-style text (tokenizer.json, token_type_ids, mean pooling over
// real tokens, truncation), CLIP-style image (processor config: resize/crop/rescale/mean/std), Wav2Vec2-style audio
// (resampling, per-clip normalisation, mean over frames).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '@llmrec/data/test-support/temp-dirs.ts';
import { DataType, GraphBuilder } from '../llm/onnx-graph/graph-builder.ts';
import { writeModel } from '../llm/onnx-graph/model-io.ts';
import { openEncoder } from './encoder-spec.ts';
import { decodeImage } from './image-input.ts';

const temp = tempDirs();
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'toy', 'story', 'star', 'wars', '##s'];
const D = 4;
/** Embedding row k = (k, k^2 mod 7, 1, -k): distinct, so pooled vectors reveal which tokens were averaged. */
const EMB = Float32Array.from(VOCAB.flatMap((_, k) => [k, (k * k) % 7, 1, -k]));

function tokenizerJson() {
  const special = (id: number) => ({ id, content: VOCAB[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [0, 1, 2, 3].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])) },
  };
}

/** MiniLM-like I/O: last_hidden_state = E[input_ids] + T[token_type_ids] (T is zero), attention_mask accepted. */
function textExport(maxLen?: number): string {
  const dir = temp('llmrec-hf-text-');
  const g = new GraphBuilder('tiny_text');
  const ids = g.input('input_ids', DataType.INT64, ['batch', 'seq']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch', 'seq']);
  const types = g.input('token_type_ids', DataType.INT64, ['batch', 'seq']);
  const h = g.op('Add', [g.op('Gather', [g.float('emb', EMB, [VOCAB.length, D]), ids]), g.op('Gather', [g.float('type_emb', new Float32Array(2 * D), [2, D]), types])]);
  // The mask is read (as real exports do) without changing valid rows: h * 1 + 0 * mask.
  const m = g.op('Unsqueeze', [g.op('Cast', [mask], { to: { i: DataType.FLOAT } }), g.ints([-1])]);
  g.op('Add', [h, g.op('Mul', [m, g.scalar(0)])], {}, ['last_hidden_state']);
  g.output('last_hidden_state', DataType.FLOAT, ['batch', 'seq', D]);
  writeModel(join(dir, 'onnx', 'model.onnx'), g.model());
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson()));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: maxLen ?? 512, do_lower_case: true }));
  return dir;
}

function pooled(ids: number[]): number[] {
  const v = [0, 1, 2, 3].map((d) => ids.reduce((a, id) => a + EMB[id * D + d]!, 0) / ids.length);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('Hugging Face ONNX exports in the encoder slots', () => {
  it('text: tokenizes with tokenizer.json, mean-pools real tokens only, L2-normalises, truncates keeping [SEP]', async () => {
    const enc = await openEncoder('text', `onnx:${textExport()}`, { home: temp('llmrec-home-') });
    try {
      expect(enc.ref).toMatchObject({ dim: 4, id: expect.stringMatching(/^onnx:llmrec-hf-text-/) });
      const out = await enc.encode(['Toy Story', 'star wars stars']);
      expect(Array.from(out.subarray(0, 4))).toEqual(pooled([2, 4, 5, 3]).map((x) => expect.closeTo(x, 6)));
      expect(Array.from(out.subarray(4, 8))).toEqual(pooled([2, 6, 7, 6, 8, 3]).map((x) => expect.closeTo(x, 6)));
    } finally {
      await enc.close();
    }
    const short = await openEncoder('text', `onnx:${textExport(4)}`, { home: temp('llmrec-home-') });
    try {
      expect(Array.from(await short.encode(['toy story star wars']))).toEqual(pooled([2, 4, 5, 3]).map((x) => expect.closeTo(x, 6)));
    } finally {
      await short.close();
    }
  });

  it('image: resizes, crops and normalises as preprocessor_config.json says', async () => {
    const dir = temp('llmrec-hf-image-');
    const g = new GraphBuilder('tiny_image');
    const px = g.input('pixel_values', DataType.FLOAT, ['batch', 3, 8, 8]);
    g.op('ReduceMean', [px], { axes: { ints: [2, 3] }, keepdims: { i: 0 } }, ['image_embeds']);
    g.output('image_embeds', DataType.FLOAT, ['batch', 3]);
    writeModel(join(dir, 'model.onnx'), g.model());
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ image_mean: [0.5, 0.5, 0.5], image_std: [0.25, 0.5, 1], size: { shortest_edge: 8 }, crop_size: { height: 8, width: 8 }, do_rescale: true, rescale_factor: 1 / 255 }));
    const p = new PNG({ width: 30, height: 20 });
    for (let i = 0; i < 600; i++) p.data.set([255, 0, 51, 255], i * 4);
    const img = decodeImage(new Uint8Array(PNG.sync.write(p)));
    const enc = await openEncoder('image', `onnx:${dir}`, { home: temp('llmrec-home-') });
    try {
      expect(enc.ref.dim).toBe(3);
      expect(Array.from(await enc.encode([img]))).toEqual([2, -1, -0.3].map((x) => expect.closeTo(x, 5)));
    } finally {
      await enc.close();
    }
  });

  it('audio: resamples to sampling_rate, normalises per clip, averages last_hidden_state over frames', async () => {
    const dir = temp('llmrec-hf-audio-');
    const g = new GraphBuilder('tiny_audio');
    const x = g.op('Unsqueeze', [g.input('input_values', DataType.FLOAT, ['batch', 'samples']), g.ints([-1])]);
    g.op('Concat', [x, g.op('Mul', [x, x])], { axis: { i: -1 } }, ['last_hidden_state']);
    g.output('last_hidden_state', DataType.FLOAT, ['batch', 'samples', 2]);
    writeModel(join(dir, 'model.onnx'), g.model());
    const tone = { samples: Float32Array.from({ length: 8000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 8000) + 0.1), sampleRate: 8000 };
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ sampling_rate: 16000, do_normalize: true, feature_size: 1 }));
    const enc = await openEncoder('audio', `onnx:${dir}`, { home: temp('llmrec-home-') });
    try {
      const [mean, meanSq] = await enc.encode([tone]);
      expect(mean).toBeCloseTo(0, 4);
      expect(meanSq).toBeCloseTo(1, 3);
    } finally {
      await enc.close();
    }
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ sampling_rate: 16000, do_normalize: false }));
    const raw = await openEncoder('audio', `onnx:${dir}`, { home: temp('llmrec-home-') });
    try {
      const [mean, meanSq] = await raw.encode([tone]);
      expect(mean).toBeCloseTo(0.1, 2);
      expect(meanSq).toBeCloseTo(0.125 + 0.01, 2);
    } finally {
      await raw.close();
    }
  });

  it('explains what is missing or malformed in an export folder', async () => {
    const home = temp('llmrec-home-');
    const empty = temp('llmrec-hf-empty-');
    await expect(openEncoder('text', `onnx:${empty}`, { home })).rejects.toThrow(/no model\.onnx/);
    const dir = textExport();
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ image_mean: [0.5] }));
    await expect(openEncoder('image', `onnx:${dir}`, { home })).rejects.toThrow(/preprocessor_config\.json: image_mean/);
    await expect(openEncoder('text', 'bert', { home })).rejects.toThrow(/unknown text encoder 'bert'/);
  });
});
