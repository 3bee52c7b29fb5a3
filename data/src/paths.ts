// Where things live on disk: $LLMREC_HOME (datasets, caches; default ./.llmrec) and the read-only shared data folder.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is data/src/paths.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function llmrecHome(): string {
  return resolve(process.env.LLMREC_HOME ?? join(process.cwd(), '.llmrec'));
}

export function datasetDir(name: string, home = llmrecHome()): string {
  return join(home, 'datasets', name);
}

export function downloadCacheDir(home = llmrecHome()): string {
  return join(home, 'cache', 'downloads');
}

/** The shared data folder (`$LLMREC_SHARED_DIR/data` or `<repo>/../shared/data`), or undefined when absent. */
export function sharedDataDir(): string | undefined {
  const base = process.env.LLMREC_SHARED_DIR ?? join(REPO_ROOT, '..', 'shared');
  const dir = join(base, 'data');
  return existsSync(dir) ? dir : undefined;
}

/** Sub-folder of the shared data folder holding each dataset's raw files. */
export const SHARED_FOLDER: Record<string, string> = {
  'ml-100k': 'ml-100k',
  'ml-1m': 'ml-1m',
  beauty: 'amazon-beauty',
  games: 'amazon-games',
};
