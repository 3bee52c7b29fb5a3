// Size of the Cloudflare Workers bundle of the edge, built offline as CI builds it (`wrangler deploy --dry-run`):
// raw and gzip-compressed bytes of the entry module, so the figure the README quotes is a recorded measurement
// (results/bench-bundle.json) and not a number copied from a test log.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchSuite } from './lib/suite.ts';

export const suite: BenchSuite = {
  name: 'bundle',
  description: 'Cloudflare Workers bundle of the edge (wrangler deploy --dry-run): KiB raw and gzipped',
  async run(ctx) {
    const out = mkdtempSync(join(tmpdir(), 'llmrec-bundle-'));
    try {
      execFileSync(join(ctx.repoRoot, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out], {
        cwd: ctx.repoRoot,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', XDG_CONFIG_HOME: join(out, '.config') },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 300_000,
      });
      const files = readdirSync(out).filter((f) => f.endsWith('.js'));
      const bytes = files.reduce((a, f) => a + statSync(join(out, f)).size, 0);
      const gz = files.reduce((a, f) => a + gzipSync(readFileSync(join(out, f))).length, 0);
      ctx.log(`${files.join(', ')}: ${(bytes / 1024).toFixed(1)} KiB, gzip ${(gz / 1024).toFixed(1)} KiB`);
      return {
        metrics: {
          workers_bundle_kib: { value: Math.round((bytes / 1024) * 10) / 10, unit: 'KiB', note: `JavaScript emitted by wrangler deploy --dry-run (${files.join(', ')})` },
          workers_bundle_gzip_kib: { value: Math.round((gz / 1024) * 10) / 10, unit: 'KiB', target: '<= 3072 KiB (Workers free plan, compressed)', met: gz <= 3 * 1024 * 1024, note: 'gzip (zlib default level) of the same files' },
        },
        setup: { command: 'wrangler deploy --dry-run --outdir <tmp>', config: 'wrangler.toml', files },
      };
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
};
