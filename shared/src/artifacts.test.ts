import { describe, expect, it } from 'vitest';
import { artifactsDir, padHistories, padHistory, sha256Hex, verifyArtifact } from './artifacts.ts';

describe('artifacts helpers', () => {
  it('pads histories like the Python side (last maxlen, index + 1, left zeros)', () => {
    expect(padHistory([], 3)).toEqual([0, 0, 0]);
    expect(padHistory([4], 3)).toEqual([0, 0, 5]);
    expect(padHistory([0, 1, 2, 3, 4], 3)).toEqual([3, 4, 5]);
    expect(padHistories([[1], [2, 3]], 2)).toEqual([0, 2, 3, 4]);
  });

  it('verifies sha256 and size', async () => {
    const bytes = new TextEncoder().encode('abc');
    const sha = await sha256Hex(bytes);
    expect(sha).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    await verifyArtifact({ path: 'x', sha256: sha, bytes: 3 }, bytes);
    await expect(verifyArtifact({ path: 'x', sha256: sha, bytes: 3 }, new TextEncoder().encode('abd'))).rejects.toThrow(/sha256/);
    await expect(verifyArtifact({ path: 'x', sha256: sha, bytes: 4 }, bytes)).rejects.toThrow(/bytes/);
  });

  it('places artifacts under home/artifacts/<dataset>/<split>', () => {
    expect(artifactsDir('/h/', 'ml-100k', 'loo')).toBe('/h/artifacts/ml-100k/loo');
  });
});
