// NumPy .npy (format 1.0, little-endian, C order) writer and reader: the on-disk array format of the
// canonical dataset (docs/dataset-format.md), so PyTorch training reads it with np.load and never re-parses raw files.
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeNpy, encodeNpy, type DecodedNpy, type NpyArray } from '@llmrec/shared/npy.ts';

// The codec itself is runtime-neutral and lives in shared/ (the GPU worker reads the same format); this file adds file I/O.
export { decodeNpy, encodeNpy, type DecodedNpy, type NpyArray } from '@llmrec/shared/npy.ts';

export function writeNpy(path: string, a: NpyArray, shape?: number[]): void {
  writeFileSync(path, encodeNpy(a, shape));
}

export function readNpy(path: string): DecodedNpy {
  return decodeNpy(readFileSync(path), path);
}
