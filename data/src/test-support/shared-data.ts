// Test helper: the real datasets folder (../shared/data or $LLMREC_SHARED_DIR/data), or a skip reason when absent.
import { sharedDataDir } from '../paths.ts';

export const SHARED = sharedDataDir();
export const SKIP_REASON = SHARED ? '' : 'shared data folder absent (set LLMREC_SHARED_DIR or place it at <repo>/../shared/data)';
if (!SHARED) console.warn(`[skip] ${SKIP_REASON}`);
