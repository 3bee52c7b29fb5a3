// Test helper: the Python the training steps run with (LLMREC_PYTHON or /usr/bin/python3) and whether it has
// torch, so tests that need the offline pipeline skip with a reason instead of failing on a machine without it.
import { execFileSync } from 'node:child_process';

export const PYTHON = process.env.LLMREC_PYTHON ?? '/usr/bin/python3';

let cached: boolean | undefined;
export function hasTorch(): boolean {
  if (cached === undefined) {
    try {
      execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
      cached = true;
    } catch {
      cached = false;
    }
  }
  return cached;
}
