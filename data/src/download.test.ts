// Download path, offline: a local HTTP server (started here) serves a zip built here; the dataset is fetched,
// cached, unpacked with our zip reader and prepared; a second run uses the cache without any request.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadDataset } from './download.ts';
import { LOADERS } from './loaders/index.ts';
import { makeZip } from './test-support/make-zip.ts';
import { readZip } from './zip.ts';

const flags = Array(19).fill(0).join('|');
const ZIP = makeZip({
  'ml-100k/': Buffer.alloc(0),
  'ml-100k/u.user': Buffer.from('1|24|M|technician|85711\n2|30|F|writer|12345\n'),
  'ml-100k/u.item': Buffer.from(`1|A (1995)|||u|${flags}\n2|B (1996)|||u|${flags}\n`),
  'ml-100k/u.data': Buffer.from('1\t1\t5\t100\n2\t2\t4\t200\n1\t2\t3\t50\n'),
});

let server: Server;
let base = '';
let requests = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    if (req.url === '/datasets/movielens/ml-100k.zip') {
      res.writeHead(200, { 'content-length': ZIP.length, 'content-type': 'application/zip' });
      res.end(ZIP);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('zip reader', () => {
  it('reads deflated and stored entries', () => {
    const data = Buffer.from('hello hello hello hello');
    for (const store of [false, true]) {
      const [e] = readZip(makeZip({ 'a/b.txt': data }, store));
      expect(e!.name).toBe('a/b.txt');
      expect(Buffer.from(e!.data()).toString()).toBe(data.toString());
    }
    expect(() => readZip(Buffer.from('not a zip at all, just text that is long enough'))).toThrow(/not a zip/);
  });
});

describe('downloadDataset', () => {
  it('downloads, caches, unpacks and the loader reads the result; the second run makes no request', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'dl-'));
    const url = `${base}/datasets/movielens/ml-100k.zip`;
    const seen: number[] = [];
    const dir = await downloadDataset({ url, cacheDir, marker: 'u.data', onProgress: (d) => seen.push(d) });
    expect(dir).toBe(join(cacheDir, 'ml-100k.zip.d', 'ml-100k'));
    expect(readFileSync(join(cacheDir, 'ml-100k.zip')).equals(ZIP)).toBe(true);
    expect(seen.at(-1)).toBe(ZIP.length);
    const ds = LOADERS['ml-100k'].load(dir, {});
    expect(Array.from(ds.interactions.item)).toEqual([1, 0, 1]);
    const before = requests;
    expect(await downloadDataset({ url, cacheDir, marker: 'u.data' })).toBe(dir);
    expect(requests).toBe(before);
  });

  it('fails with a one-line reason on HTTP errors and on checksum mismatch', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'dl-'));
    await expect(downloadDataset({ url: `${base}/nope.zip`, cacheDir, marker: 'u.data' })).rejects.toThrow(/HTTP 404/);
    await expect(downloadDataset({ url: `${base}/datasets/movielens/ml-100k.zip`, cacheDir, marker: 'u.data', sha256: '0'.repeat(64) })).rejects.toThrow(/sha256/);
  });
});
