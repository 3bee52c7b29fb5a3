// The git commit of the checkout a command runs from, recorded in result files so every figure names the code
// that produced it; "-dirty" when tracked files differ from it. null outside a git checkout.
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '@llmrec/data/index.ts';

export function gitCommit(cwd: string = REPO_ROOT): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}
