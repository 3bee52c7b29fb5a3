// Fetches a dataset archive from its public home (MovieLens from GroupLens) into a cache folder and unpacks it;
// a second run reuses the cached archive. Used by `llmrec data` when no local --from folder is given.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readZip } from './zip.ts';

export interface DownloadOptions {
  url: string;
  cacheDir: string;
  /** File that identifies the raw folder inside the archive, e.g. u.data. */
  marker: string;
  sha256?: string;
  onProgress?: (done: number, total: number) => void;
  log?: (step: string, msg: string) => void;
}

async function fetchToFile(url: string, path: string, onProgress?: (d: number, t: number) => void): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`cannot download ${url}: ${(e as Error).message} (offline? pass --from <folder>)`);
  }
  if (!res.ok || !res.body) throw new Error(`cannot download ${url}: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const chunks: Uint8Array[] = [];
  let done = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    done += chunk.length;
    onProgress?.(done, total);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.part`, Buffer.concat(chunks));
  renameSync(`${path}.part`, path); // only complete archives ever land under their real name
}

function findMarker(dir: string, marker: string, depth = 3): string | undefined {
  if (existsSync(join(dir, marker))) return dir;
  if (depth === 0) return undefined;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      const hit = findMarker(p, marker, depth - 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Download (or reuse) the archive at `url` and return the unpacked folder that holds `marker`. */
export async function downloadDataset(o: DownloadOptions): Promise<string> {
  const archive = join(o.cacheDir, basename(new URL(o.url).pathname));
  const unpacked = `${archive}.d`;
  if (existsSync(unpacked)) {
    const hit = findMarker(unpacked, o.marker);
    if (hit) {
      o.log?.('download', `using cached ${unpacked}`);
      return hit;
    }
  }
  if (!existsSync(archive)) {
    o.log?.('download', `${o.url} -> ${archive}`);
    await fetchToFile(o.url, archive, o.onProgress);
  } else {
    o.log?.('download', `using cached ${archive}`);
  }
  const bytes = readFileSync(archive);
  if (o.sha256) {
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== o.sha256) {
      rmSync(archive);
      throw new Error(`${archive}: sha256 ${got} does not match the expected ${o.sha256} (removed; try again)`);
    }
  }
  const tmp = `${unpacked}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const e of readZip(bytes, archive)) {
    if (e.name.endsWith('/')) continue;
    const parts = e.name.split('/').filter((s) => s && s !== '.' && s !== '..'); // no path traversal
    const dest = join(tmp, ...parts);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, e.data());
  }
  rmSync(unpacked, { recursive: true, force: true });
  renameSync(tmp, unpacked);
  const hit = findMarker(unpacked, o.marker);
  if (!hit) throw new Error(`${archive}: no ${o.marker} inside the archive`);
  return hit;
}
