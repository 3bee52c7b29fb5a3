// Baseline: content kNN over the project's old text features (issue 10's baseline to beat). Hashed TF-IDF rows are
// L2-normalised, so a candidate's score — the mean cosine of its text to the user's history items — is the dot product
// of its row with the mean history row. Needs no training interaction at all: it scores cold items as well as warm.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNpy } from '@llmrec/data/npy.ts';
import { FEATURES_MANIFEST_FILE, parseFeaturesManifest } from '@llmrec/shared/features.ts';
import { tfidfFeaturesDir } from './tfidf-features.ts';
import type { ModelSpec } from './types.ts';

export const model: ModelSpec = {
  name: 'tfidf-knn',
  description: 'tfidf-knn: mean cosine of a candidate\'s hashed TF-IDF text (2,048 buckets) to the user\'s history items',
  create(ctx) {
    const dir = tfidfFeaturesDir(ctx.home, ctx.dataset.meta.name, ctx.dataset.dir, 2048, ctx.log);
    const m = parseFeaturesManifest(JSON.parse(readFileSync(join(dir, FEATURES_MANIFEST_FILE), 'utf8')));
    const text = m.modalities.text!;
    const x = decodeNpy(new Uint8Array(readFileSync(join(dir, text.file))), 'tfidf');
    const [n, dim] = x.shape as [number, number];
    if (n !== ctx.dataset.nItems) throw new Error(`tfidf features: ${n} rows for ${ctx.dataset.nItems} items`);
    const table = x.data as Float32Array;
    return {
      score(req) {
        const out = new Float32Array(req.users.length * n);
        const profile = new Float32Array(dim);
        for (let b = 0; b < req.users.length; b++) {
          const h = req.histories[b]!;
          profile.fill(0);
          for (const i of h) for (let d = 0; d < dim; d++) profile[d]! += table[i * dim + d]!;
          const inv = h.length ? 1 / h.length : 0;
          for (let i = 0; i < n; i++) {
            let acc = 0;
            const base = i * dim;
            for (let d = 0; d < dim; d++) acc += table[base + d]! * profile[d]!;
            out[b * n + i] = acc * inv;
          }
        }
        return out;
      },
    };
  },
};
