// Hashed TF-IDF item text in the content-features layout (shared/src/features.ts), written once per items.jsonl by
// the Python side (training/llmrec_train/features.py: the one implementation of the hashing) and cached under
// $LLMREC_HOME/cache/features/<dataset>/: the `tfidf-knn` baseline reads it, and `llmrec train` falls back to it as
// the text modality when no encoder features exist.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@llmrec/data/index.ts';
import { FEATURES_MANIFEST_FILE } from '@llmrec/shared/features.ts';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

/** Folder of the hashed TF-IDF features of a dataset (written on first use; `dim` hashed buckets). */
export function tfidfFeaturesDir(home: string, dataset: string, datasetDir: string, dim = 2048, log: (m: string) => void = () => {}): string {
  const code = ['text_features.py', 'features.py'].map((f) => sha(readFileSync(join(REPO_ROOT, 'training', 'llmrec_train', f)))).join('');
  const key = sha(sha(readFileSync(join(datasetDir, 'items.jsonl'))) + code + dim).slice(0, 16);
  const dir = join(home, 'cache', 'features', dataset, `hashed-tfidf-${key}`);
  if (existsSync(join(dir, FEATURES_MANIFEST_FILE))) return dir;
  log(`hashed TF-IDF text features -> ${dir}`);
  const python = process.env.LLMREC_PYTHON ?? '/usr/bin/python3';
  try {
    execFileSync(python, ['-m', 'llmrec_train', 'tfidf-features', '--dataset-dir', datasetDir, '--config', JSON.stringify({ dim }), '--out', dir], {
      cwd: join(REPO_ROOT, 'training'),
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PYTHONWARNINGS: 'ignore' },
    });
  } catch (e) {
    const err = (e as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(-1)[0] ?? (e as Error).message;
    throw new Error(`hashed TF-IDF features failed (${python} -m llmrec_train tfidf-features): ${err}`);
  }
  return dir;
}
