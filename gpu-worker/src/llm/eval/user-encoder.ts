// The trained user encoder of the offline artifacts (frozen SASRec + base aligner: history -> z_u, dim 128),
// read from `llmrec train`'s manifest, so the LLM evaluation ranks with the real joint latents.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asFloat32, createSession, int64, run } from '../../onnx/index.ts';

export interface UserEncoder {
  dim: number;
  itemLatentsPath: string;
  encode(histories: readonly (readonly number[])[]): Promise<Float32Array>;
}

export async function loadUserEncoder(artifactsDir: string): Promise<UserEncoder> {
  const m = JSON.parse(readFileSync(join(artifactsDir, 'manifest.json'), 'utf8')) as {
    input: { name: string; maxlen: number; offset: number; pad: number };
    files: { userEncoder: { path: string }; itemLatents: { path: string; shape?: number[] } };
  };
  const s = await createSession(join(artifactsDir, m.files.userEncoder.path), { device: 'cpu', threads: 1 });
  const L = m.input.maxlen;
  return {
    dim: m.files.itemLatents.shape?.[1] ?? 128,
    itemLatentsPath: join(artifactsDir, m.files.itemLatents.path),
    async encode(histories) {
      const ids = new Array<number>(histories.length * L).fill(m.input.pad);
      histories.forEach((h, r) => {
        const tail = h.slice(Math.max(0, h.length - L));
        tail.forEach((it, j) => (ids[r * L + L - tail.length + j] = it + m.input.offset));
      });
      const out = await run(s, { [m.input.name]: int64(ids, [histories.length, L]) });
      return asFloat32(out[s.outputNames[0]!]!);
    },
  };
}
