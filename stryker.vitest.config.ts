// Vitest configuration of `npm run mutation` (Stryker, stryker.config.json): only the tests of the mutated
// modules, and every @llmrec/<workspace>/ import resolved to the copy of the sources next to this file — inside
// Stryker's sandbox the node_modules/@llmrec links still point at the original tree, so without the alias a
// test importing @llmrec/shared/... would exercise the unmutated file and every mutant there would "survive".
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    alias: [{ find: /^@llmrec\/(shared|data|eval|edge|gpu-worker|cli)\/(.*)$/, replacement: join(root, '$1/src/$2') }],
  },
  test: {
    include: [
      'shared/src/evidence/**/*.test.ts',
      'edge/src/routes/explain.test.ts',
      'shared/src/adapter/**/*.test.ts',
      'gpu-worker/src/adapter-runtime/**/*.test.ts',
      'gpu-worker/src/dynamic-scoring.test.ts',
      'shared/src/pq/**/*.test.ts',
      'shared/src/kv/pq-values.test.ts',
      'eval/src/metrics/**/*.test.ts',
      'edge/src/app.test.ts',
      'edge/src/middleware/**/*.test.ts',
      'edge/src/error-exposure.test.ts',
      'edge/src/kv/ratelimit.test.ts',
      'gpu-worker/src/worker-secret.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
