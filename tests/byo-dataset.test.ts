// Bring your own catalog (issue 11, bar 1): a dataset in S3-Rec format the repository has never seen — a
// renamed, re-numbered subset of Amazon Beauty derived here (`Toys.txt` + `Toys_item2attributes.json`), or a
// synthetic one without the shared data — is imported under a new name and goes through the same commands as the
// presets: data -> train (a small config) -> eval (full ranking) -> publish -> job -> serve -> a recommendation.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalJson } from '@llmrec/eval/report.ts';
import { mulberry32 } from '@llmrec/shared/rng.ts';
import { REPO_ROOT, sharedDataDir } from '@llmrec/data/paths.ts';
import { tempDirs } from '@llmrec/data/test-support/temp-dirs.ts';

const tmp = tempDirs();
const NAME = 'toys-mini';
const API_KEY = 'byo-test-key-0123456789';

/** A never-seen S3-Rec folder: the first `users` Beauty users, users and items re-numbered in first-use order. */
function makeToys(dir: string, users = 250): { users: number; items: number } {
  const beauty = sharedDataDir() && join(sharedDataDir()!, 'amazon-beauty', 'Beauty.txt');
  let seqs: number[][];
  let attrs: Record<string, number[]> = {};
  if (beauty && existsSync(beauty)) {
    seqs = readFileSync(beauty, 'utf8').split('\n').filter(Boolean).slice(0, users).map((l) => l.trim().split(/\s+/).slice(1).map(Number));
    attrs = JSON.parse(readFileSync(join(beauty, '..', 'Beauty_item2attributes.json'), 'utf8'));
  } else {
    // Synthetic: 8 taste groups of 25 items; a user mostly walks through their group.
    const rnd = mulberry32(5);
    seqs = Array.from({ length: users }, (_, u) => Array.from({ length: 6 + (u % 9) }, () => (rnd() < 0.8 ? (u % 8) * 25 : Math.floor(rnd() * 8) * 25) + 1 + Math.floor(rnd() * 25)));
    for (let i = 1; i <= 200; i++) attrs[String(i)] = [Math.floor((i - 1) / 25) + 1];
  }
  const renum = new Map<number, number>();
  const lines = seqs.map((s, u) => `${u + 1} ${s.map((i) => renum.get(i) ?? (renum.set(i, renum.size + 1), renum.size)).join(' ')}`);
  writeFileSync(join(dir, 'Toys.txt'), lines.join('\n') + '\n');
  const toysAttrs: Record<string, number[]> = {};
  for (const [old, now] of renum) if (attrs[String(old)]) toysAttrs[String(now)] = attrs[String(old)]!;
  writeFileSync(join(dir, 'Toys_item2attributes.json'), JSON.stringify(toysAttrs));
  return { users: seqs.length, items: renum.size };
}

describe('an S3-Rec dataset the repository has never seen, under a new name, through every command', () => {
  it('data -> train -> eval (full ranking) -> publish -> job -> serve -> recommend', async () => {
    const home = tmp('byo-');
    const raw = join(home, 'raw');
    mkdirSync(raw);
    const size = makeToys(raw);
    const env = { ...process.env, LLMREC_HOME: home, LLMREC_API_KEY: API_KEY, LLMREC_LOG: 'off' };
    const cli = (args: string[], timeout = 300_000) => {
      const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/llmrec.js'), ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout });
      expect(r.status, `llmrec ${args.join(' ')}\n${r.stderr.slice(-3000)}`).toBe(0);
      return r;
    };

    const data = JSON.parse(cli(['data', '--name', NAME, '--format', 's3rec', '--from', raw, '--json']).stdout);
    expect(data).toMatchObject({ name: NAME, counts: { users: size.users, items: size.items }, source: { format: 's3rec', prefix: 'Toys' } });

    // A small configuration: the pipeline and its artifacts are real, the model is tiny.
    const cfg = join(home, 'tiny.json');
    writeFileSync(cfg, JSON.stringify({
      sasrec: { hidden: 16, maxlen: 20, epochs: 2, eval_every: 1, patience: 1, batch: 64, windows: 0 },
      aligner: { dim: 16, epochs: 2, text: { kind: 'hashed-tfidf', dim: 256 } },
      pq: { m: 4, k: 16, iters: 5, finetune_steps: 5 },
    }));
    cli(['train', '--dataset', NAME, '--config', cfg, '--no-results', '--threads', '1']);
    expect(existsSync(join(home, 'artifacts', NAME, 'serving', 'serving-bundle.json'))).toBe(true);

    const ev = JSON.parse(cli(['eval', '--dataset', NAME, '--split', 'loo', '--model', 'popular,sasrec,aligner', '--protocol', 'full', '--seeds', '1', '--no-write', '--json']).stdout);
    const doc = EvalJson.parse(ev); // the one eval shape (eval/src/report.ts)
    expect(doc.dataset).toBe(NAME);
    const ndcg = doc.rows.filter((r) => r.metric === 'NDCG@10');
    expect(ndcg.map((r) => `${r.model}/${r.protocol}`).sort()).toEqual(['aligner/full', 'popular/full', 'sasrec/full']);
    for (const r of ndcg) {
      expect(r.n).toBe(size.users); // every user has >= 3 interactions: one test target each
      expect(r.mean).toBeGreaterThanOrEqual(0);
      expect(r.mean).toBeLessThanOrEqual(1);
    }

    const store = `sqlite:${join(home, 'kv.sqlite')}`;
    const pub = JSON.parse(cli(['publish', '--dataset', NAME, '--store', store, '--json']).stdout.trim().split('\n').pop()!);
    expect(pub.version).toMatch(new RegExp(`^${NAME}-[0-9a-f]{12}$`));
    expect(pub.counts.items).toBe(size.items);
    expect(pub.counts.pqCodeChunks).toBe(1);
    cli(['job', '--dataset', NAME, '--store', store, '--once']);

    const serve = spawn(process.execPath, [join(REPO_ROOT, 'bin/llmrec.js'), 'serve', '--dataset', NAME, '--store', store, '--port', '0', '--worker-port', '0', '--device', 'cpu', '--log', 'off'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        const t = setTimeout(() => reject(new Error(`serve did not start: ${err.slice(-2000)}`)), 120_000);
        serve.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /edge\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(err);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        });
        serve.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err.slice(-2000)}`)));
      });
      const res = await fetch(`${url}/v1/recommend`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ userId: '1', k: 5 }) });
      const body = (await res.json()) as { items: { id: string; score: number }[]; degraded: boolean; model: string };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body.degraded).toBe(false);
      expect(body.model).toMatch(/^train-/);
      expect(body.items.length).toBe(5);
      for (const it of body.items) expect(Number.isFinite(it.score)).toBe(true);
      const seen = readFileSync(join(raw, 'Toys.txt'), 'utf8').split('\n')[0]!.split(' ').slice(1);
      for (const it of body.items) expect(seen).not.toContain(it.id);
    } finally {
      serve.kill('SIGTERM');
      await new Promise((r) => serve.once('exit', r));
    }
  }, 600_000);
});
