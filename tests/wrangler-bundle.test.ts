// The Workers bundle builds offline (`wrangler deploy --dry-run`, as CI does), stays small, and never pulls
// Node-only code (onnxruntime-node, better-sqlite3, node:*) into the edge.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'llmrec-wrangler-dist-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('wrangler deploy --dry-run builds the edge bundle', () => {
  const log = execFileSync(join(repo, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out], {
    cwd: repo,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', XDG_CONFIG_HOME: join(out, '.config') },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  expect(log).toMatch(/--dry-run: exiting now/);
  const file = join(out, 'entry-workers.js');
  const code = readFileSync(file, 'utf8');
  const bytes = statSync(file).size;
  const gz = gzipSync(code).length;
  console.log(`edge Workers bundle: ${(bytes / 1024).toFixed(1)} KiB, gzip ${(gz / 1024).toFixed(1)} KiB (${file})`);
  expect(gz).toBeLessThan(1024 * 1024); // Workers free plan limit is 3 MiB compressed; stay far below
  expect(code).not.toMatch(/onnxruntime|better-sqlite3|from "node:/);
  expect(code).toMatch(/\/v1\/recommend/);
}, 120_000);
