// `--model aligner` / `--model aligner-pq`: the base aligner's user latent z_u (ONNX: history -> z_u) ranked by
// z_u . z_i against the joint item latents (float32), or against the PQ-coded latents by asymmetric distance
// computation (shared/src/pq) — the ranking quality the serving path keeps after compression.
import { decodeNpy } from '@llmrec/data/npy.ts';
import { adcScores, createPqIndex } from '@llmrec/shared/pq/index.ts';
import { loadTrainedArtifacts, runHistories } from './sasrec.ts';
import type { ModelSpec } from './types.ts';

/** `latents`: the shipped item latents (since the fusion step: the fused table) or the base aligner's own CF
 * latents before fusion (`aligner-cf`, what "− multimodal fusion" is measured against). */
function makeAligner(pq: boolean, latentsFile: 'itemLatents' | 'cfLatents' = 'itemLatents'): ModelSpec {
  return {
    name: pq ? 'aligner-pq' : latentsFile === 'cfLatents' ? 'aligner-cf' : 'aligner',
    description: pq ? 'base aligner z_u . z_i over PQ codes (ADC)' : latentsFile === 'cfLatents' ? 'base aligner z_u . z_i against its own CF item latents (before the fusion step)' : 'base aligner z_u . z_i (joint latents from `llmrec train`)',
    async create(ctx) {
      const art = loadTrainedArtifacts(ctx);
      const s = await art.session('userEncoder');
      const maxlen = art.manifest.input.maxlen;
      const latents = decodeNpy(new Uint8Array(art.read(latentsFile)), 'item latents');
      const [n, dim] = latents.shape as [number, number];
      const table = latents.data as Float32Array;
      const index = pq
        ? (() => {
            const books = decodeNpy(new Uint8Array(art.read('pqCodebooks')), 'pq codebooks');
            return createPqIndex(books.data as Float32Array, books.shape, new Uint8Array(art.read('pqCodes')), n);
          })()
        : undefined;
      return {
        async score(req) {
          const zu = await runHistories(s, req.histories, maxlen, 'z_u');
          const b = req.histories.length;
          const out = new Float32Array(b * n);
          for (let r = 0; r < b; r++) {
            const q = zu.subarray(r * dim, (r + 1) * dim);
            if (index) {
              adcScores(index, q, out.subarray(r * n, (r + 1) * n));
              continue;
            }
            for (let i = 0; i < n; i++) {
              let acc = 0;
              const base = i * dim;
              for (let j = 0; j < dim; j++) acc += q[j]! * table[base + j]!;
              out[r * n + i] = acc;
            }
          }
          return out;
        },
        async close() {
          await s.session.release();
        },
      };
    },
  };
}

export const model = makeAligner(false);
export const pqModel = makeAligner(true);
export const cfModel = makeAligner(false, 'cfLatents');
