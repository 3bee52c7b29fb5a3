// Test helper: locates ../shared/models/stories260K and converts it once per test file into a temp dir.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertLlama2c } from './convert/convert-llama2c.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Folder holding stories260K (checkpoint, tokenizer, reference outputs), or undefined when absent. */
export function stories260KDir(): string | undefined {
  const dir = join(resolve(process.env.LLMREC_SHARED_DIR ?? join(repoRoot, '..', 'shared')), 'models', 'stories260K');
  return existsSync(join(dir, 'stories260K.bin')) ? dir : undefined;
}

export const missingStories = 'stories260K not found under $LLMREC_SHARED_DIR/models or <repo>/../shared/models: skipping';

/** Converts stories260K into a fresh model folder and returns its path. */
export function convertedStories(src = stories260KDir()): string {
  if (!src) throw new Error(missingStories);
  return convertLlama2c({ checkpoint: join(src, 'stories260K.bin'), tokenizer: join(src, 'tok512.bin'), outDir: mkdtempSync(join(tmpdir(), 'llmrec-stories-')) });
}
