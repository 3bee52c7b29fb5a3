import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingStories, stories260KDir } from '@llmrec/gpu-worker/llm/test-model.test-helper.ts';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const src = stories260KDir();
if (!src) console.warn(missingStories);

function llmrec(args: string[]) {
  const home = join(process.env.TMPDIR ?? '/tmp', `llmrec-cli-gen-${process.pid}`);
  return spawnSync(process.execPath, [join(repo, 'bin', 'llmrec.js'), ...args], { encoding: 'utf8', env: { ...process.env, LLMREC_HOME: home }, timeout: 60_000 });
}

describe.skipIf(!src)('llmrec generate', () => {
  it('prints the reference greedy output for "Once upon a time", 64 steps', () => {
    const r = llmrec(['generate', '--model', src!, '--prompt', 'Once upon a time', '--steps', '64', '--temperature', '0']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(src!, 'reference', 'greedy-once-upon-a-time-64.txt'), 'utf8'));
  });

  it('fails with a one-line reason on a bad folder or bad options', () => {
    const r = llmrec(['generate', '--model', repo]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(llmrec(['generate', '--model', src!, '--top-p', '2']).status).toBe(2);
  });
});
