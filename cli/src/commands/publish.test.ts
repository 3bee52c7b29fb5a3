// `llmrec publish` end to end on the real ML-100K (prepared from ../shared/data into a temp home): into the
// embedded SQLite store and into a REAL redis-server through the Upstash REST protocol; re-runs are no-ops.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { prepareDataset, readDataset, readItems } from '@llmrec/data/index.ts';
import { SHARED, SKIP_REASON } from '@llmrec/data/test-support/shared-data.ts';
import { createSqliteStore } from '@llmrec/edge/kv/sqlite-store.ts';
import { createUpstashStore } from '@llmrec/edge/kv/redis-rest.ts';
import { writeNpyFloat32 } from '@llmrec/gpu-worker/npy.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { pqFromValues } from '@llmrec/shared/kv/pq-values.ts';
import { decodeAll } from '@llmrec/shared/pq/codebook.ts';
import { getTyped, listTyped } from '@llmrec/shared/kv/typed.ts';
import { HistoryEntry, ItemEvidence, ItemIndex, ItemMeta, ModelRef, PopularList, PqCodebooks, PqCodes, PublishedPointer } from '@llmrec/shared/kv/values.ts';
import { startRedisRest, type UpstashRestServer } from '../../../test-support/upstash-rest-server.ts';
import { remoteKvStore, repoRoot, startWranglerDev, wranglerBin, wranglerEnv } from '../../../test-support/wrangler-dev.ts';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { command } from './publish.ts';

const home = mkdtempSync(join(tmpdir(), 'llmrec-publish-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function publish(args: Record<string, string | boolean>): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await command.run({ values: { dataset: 'ml-100k', home, json: true, ...args }, positionals: [] })).toBe(0);
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  return JSON.parse(out.at(-1)!);
}

describe.skipIf(!SHARED)(`llmrec publish on ML-100K ${SKIP_REASON}`, () => {
  let rest: UpstashRestServer;
  beforeAll(async () => {
    prepareDataset({ name: 'ml-100k', from: join(SHARED!, 'ml-100k'), home, splits: [] });
    rest = await startRedisRest();
  }, 120_000);
  afterAll(async () => {
    await rest?.close();
  });

  it('publishes catalog, popular lists, evidence and histories into SQLite; a re-run writes nothing', async () => {
    const path = join(home, 'kv.sqlite');
    const r1 = await publish({ store: `sqlite:${path}` });
    expect(r1).toMatchObject({ alreadyLive: false, counts: { items: 1682, users: 943 } });
    const r2 = await publish({ store: `sqlite:${path}` });
    expect(r2).toMatchObject({ version: r1.version, alreadyLive: true, keysWritten: 0, histories: { seeded: 0, kept: 943 } });

    const s = createSqliteStore(path);
    try {
      const ptr = (await getTyped(s, PublishedPointer, keys.published()))!;
      expect(ptr).toMatchObject({ version: r1.version, dataset: 'ml-100k' });
      expect((await getTyped(s, ItemIndex, keys.itemIndex(ptr.version)))!.ids).toHaveLength(1682);
      expect(await getTyped(s, ItemMeta, keys.item(ptr.version, '50'))).toMatchObject({ title: 'Star Wars (1977)', idx: 49 });
      const ev = (await getTyped(s, ItemEvidence, keys.evidence(ptr.version, '50')))!.evidence;
      expect(ev.map((e) => e.kind)).toContain('genre');
      const entry = (await getTyped(s, ItemEvidence, keys.evidence(ptr.version, '50')))!;
      expect(entry.facts).toContainEqual({ kind: 'genre', value: 'Sci-Fi' });
      expect(entry.co.length).toBe(50);
      expect(entry.co[0]![1]).toBeGreaterThanOrEqual(entry.co[49]![1]);
      expect(ev.find((e) => e.kind === 'popularity')!.text).toMatch(/^583 ratings, mean 4\.36/);
      expect((await getTyped(s, PopularList, keys.popular(ptr.version, 'all')))!.items[0]).toBe('50');

      const ds = readDataset(join(home, 'datasets', 'ml-100k'));
      const items = readItems(join(home, 'datasets', 'ml-100k'));
      const rows = Array.from(ds.interactions.item.subarray(ds.userStart[0], ds.userStart[1]), (i) => items[i]!.id);
      const hist = await listTyped(s, HistoryEntry, keys.history('1'));
      expect(rows.length).toBeGreaterThan(200);
      expect(hist.map((h) => h.item)).toEqual(rows.reverse().slice(0, 200));
    } finally {
      await s.close();
    }
  });

  it('publishes the same version into real Redis through the Upstash REST protocol', async () => {
    vi.stubEnv('UPSTASH_REDIS_REST_TOKEN', rest.token);
    try {
      const r = await publish({ store: `redis-rest:${rest.url}`, histories: 'skip' });
      expect(r.store).toBe(`upstash:${rest.url}`);
      const s = createUpstashStore({ url: rest.url, token: rest.token });
      expect((await getTyped(s, PublishedPointer, keys.published()))?.version).toBe(r.version);
      expect((await getTyped(s, ItemMeta, keys.item(String(r.version), '1')))?.title).toBe('Toy Story (1995)');
      expect((await publish({ store: `redis-rest:${rest.url}`, histories: 'skip' })).alreadyLive).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('publishes a serving bundle as PQ-coded latents plus a hash-checked user-encoder reference', async () => {
    const dir = join(home, 'bundle');
    mkdirSync(dir, { recursive: true });
    const dim = 32;
    const lat = new Float32Array(1682 * dim).map((_, i) => Math.sin(i * 0.37) + Math.cos((i % dim) * 1.3));
    const npy = writeNpyFloat32(lat, [1682, dim]);
    const onnx = new TextEncoder().encode('not really onnx, only hashed');
    writeFileSync(join(dir, 'item-latents.npy'), npy);
    writeFileSync(join(dir, 'user-encoder.onnx'), onnx);
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    const manifest = { v: 1, kind: 'serving-bundle', version: 'test-1', dataset: 'ml-100k', source: 'training', createdAt: 'now', itemLatents: { path: 'item-latents.npy', sha256: sha(npy), items: 1682, dim }, userEncoder: { path: 'user-encoder.onnx', sha256: sha(onnx), input: 'history', output: 'z', maxlen: 50 } };
    writeFileSync(join(dir, 'serving-bundle.json'), JSON.stringify(manifest));
    const path = join(home, 'kv-artifacts.sqlite');
    const r = await publish({ store: `sqlite:${path}`, artifacts: dir, histories: 'skip' });
    expect(r.counts).toMatchObject({ pqCodeChunks: 1, userEncoder: 1 });
    const s = createSqliteStore(path);
    try {
      const v = String(r.version);
      const books = (await getTyped(s, PqCodebooks, keys.pqCodebooks(v)))!;
      const codes = (await getTyped(s, PqCodes, keys.pqCodes(v, 0)))!;
      expect(books).toMatchObject({ m: 16, k: 256, dsub: 2, dim });
      const pq = pqFromValues(books, [codes]);
      const rec = decodeAll(pq);
      let err = 0;
      let norm = 0;
      lat.forEach((x, i) => ((err += (x - rec[i]!) ** 2), (norm += x * x)));
      expect(err / norm).toBeLessThan(0.05);
      expect(await getTyped(s, ModelRef, keys.userEncoder(v))).toMatchObject({ sha256: sha(onnx), bytes: onnx.length });
    } finally {
      await s.close();
    }
    writeFileSync(join(dir, 'user-encoder.onnx'), 'tampered');
    await expect(command.run({ values: { dataset: 'ml-100k', home, store: `sqlite:${path}`, artifacts: dir }, positionals: [] })).rejects.toThrow(/hash mismatch/);
  });

  it('ships the offline PQ of a trained bundle (codebooks + codes) as it is, and rejects inconsistent files', async () => {
    const dir = join(home, 'bundle-pq');
    mkdirSync(dir, { recursive: true });
    const [n, dim, m, k, dsub] = [1682, 16, 8, 4, 2];
    const lat = new Float32Array(n * dim).map((_, i) => Math.sin(i * 0.11));
    const books = new Float32Array(m * k * dsub).map((_, i) => Math.cos(i * 0.7));
    const codes = new Uint8Array(n * m).map((_, i) => (i * 7 + 3) % k);
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    const npy = writeNpyFloat32(lat, [n, dim]);
    const booksNpy = writeNpyFloat32(books, [m, k, dsub]);
    writeFileSync(join(dir, 'item-latents.npy'), npy);
    writeFileSync(join(dir, 'pq-codebooks.npy'), booksNpy);
    writeFileSync(join(dir, 'pq-codes.u8'), codes);
    const manifest = (over: Record<string, unknown> = {}) => ({
      v: 1, kind: 'serving-bundle', version: 'test-pq', dataset: 'ml-100k', source: 'training', createdAt: 'now',
      itemLatents: { path: 'item-latents.npy', sha256: sha(npy), items: n, dim },
      pq: { codebooks: { path: 'pq-codebooks.npy', sha256: sha(booksNpy), m, k, dsub, ...over }, codes: { path: 'pq-codes.u8', sha256: sha(codes) } },
    });
    writeFileSync(join(dir, 'serving-bundle.json'), JSON.stringify(manifest()));
    const path = join(home, 'kv-offline-pq.sqlite');
    const r = await publish({ store: `sqlite:${path}`, artifacts: dir, histories: 'skip' });
    const s = createSqliteStore(path);
    try {
      const v = String(r.version);
      const got = (await getTyped(s, PqCodebooks, keys.pqCodebooks(v)))!;
      expect(got).toMatchObject({ m, k, dsub, dim });
      const pq = pqFromValues(got, [(await getTyped(s, PqCodes, keys.pqCodes(v, 0)))!]);
      expect(Array.from(pq.codes)).toEqual(Array.from(codes));
      expect(Array.from(pq.codebooks)).toEqual(Array.from(books));
    } finally {
      await s.close();
    }
    // A bundle whose PQ does not fit its latents is refused with the reason, not published.
    writeFileSync(join(dir, 'serving-bundle.json'), JSON.stringify(manifest({ m: 4, dsub: 4 })));
    await expect(command.run({ values: { dataset: 'ml-100k', home, store: `sqlite:${path}`, artifacts: dir }, positionals: [] })).rejects.toThrow(/shape \[8,4,2\], bundle says \[4, 4, 4\]/);
  });

  it('exports Cloudflare KV bulk files that, uploaded in order into workerd local KV, serve the version', async () => {
    const out = join(home, 'cf-bulk');
    const r = await publish({ 'cloudflare-bulk': out });
    const files = readdirSync(out).sort();
    expect(files).toEqual(['1-content-000.json', '2-pointer.json', '3-histories.json']);
    const state = join(home, 'wrangler-state');
    const config = join(repoRoot, 'test-support', 'workerd', 'wrangler.toml');
    // Local bulk upload is slow (~10 ms a pair on this box): upload the pairs this test reads, from the real
    // files, in one call; the full files' size and order are checked above and by the counts below.
    const read = (f: string) => JSON.parse(readFileSync(join(out, f), 'utf8')) as { key: string; value: string }[];
    const content = read(files[0]!);
    expect(content.length).toBe(1682 * 2 + 2 + 2 + 1);
    const wanted = new Set([keys.item(String(r.version), '50'), keys.published(), keys.history('1')]);
    const subset = [...content, ...read(files[1]!), ...read(files[2]!)].filter((p) => wanted.has(p.key));
    expect(subset).toHaveLength(3);
    writeFileSync(join(home, 'cf-subset.json'), JSON.stringify(subset));
    execFileSync(wranglerBin, ['kv', 'bulk', 'put', '--binding', 'KV', '--local', '--persist-to', state, '--config', config, join(home, 'cf-subset.json')], { env: wranglerEnv(state), stdio: 'pipe' });
    const dev = await startWranglerDev(config, 60_000, state);
    try {
      const kv = remoteKvStore(dev.url, '');
      expect((await getTyped(kv, PublishedPointer, keys.published()))?.version).toBe(r.version);
      expect((await getTyped(kv, ItemMeta, keys.item(String(r.version), '50')))?.title).toBe('Star Wars (1977)');
      expect((await listTyped(kv, HistoryEntry, keys.history('1'))).length).toBe(200);
    } finally {
      await dev.stop();
    }
  }, 120_000);

  it('fails with a one-line reason for a missing dataset or a bad store', async () => {
    await expect(command.run({ values: { dataset: 'ml-1m', home }, positionals: [] })).rejects.toThrow(/no prepared dataset 'ml-1m'/);
    await expect(command.run({ values: { dataset: 'ml-100k', home, store: 'mongo:x' }, positionals: [] })).rejects.toThrow(/unknown store/);
  });
});

describe('coInteractionLists', () => {
  it('matches the evidence layer CoInteractionIndex on a random interaction set', async () => {
    const { CoInteractionIndex } = await import('@llmrec/shared/evidence/co-interaction.ts');
    const { coInteractionLists } = await import('./publish.ts');
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const nUsers = 60;
    const nItems = 30;
    const histories = Array.from({ length: nUsers }, () => Array.from({ length: 1 + Math.floor(rand() * 12) }, () => Math.floor(rand() * nItems)));
    const userStart = new Int32Array(nUsers + 1);
    histories.forEach((h, u) => (userStart[u + 1] = userStart[u]! + h.length));
    const item = Int32Array.from(histories.flat());
    const ours = coInteractionLists(userStart, item, nItems, 2, 10);
    const ref = new CoInteractionIndex(histories, nItems);
    for (let i = 0; i < nItems; i++) expect(ours[i]).toEqual(ref.list(i, 2, 10).co);
    expect(ours.some((l) => l.length > 0)).toBe(true);
  });
});
