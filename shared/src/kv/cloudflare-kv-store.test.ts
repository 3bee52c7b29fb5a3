// Runs the KV conformance suite against the Cloudflare KV backend inside REAL workerd (`wrangler dev`, offline,
// local KV simulation): test-support/workerd/kv-worker.ts exposes the store's operations over HTTP.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKvConformance } from '../../../test-support/kv-conformance.ts';
import { remoteKvStore, repoRoot, startWranglerDev, type WranglerDev } from '../../../test-support/wrangler-dev.ts';

let dev: WranglerDev;
beforeAll(async () => {
  dev = await startWranglerDev(join(repoRoot, 'test-support', 'workerd', 'wrangler.toml'));
}, 90_000);
afterAll(async () => {
  await dev?.stop();
});

runKvConformance('cloudflare-kv (workerd)', {
  open: async (ns) => remoteKvStore(dev.url, `${ns}:`),
  persistent: true,
  atomicSetMany: false,
  minTtlSeconds: 60,
  hasEventLog: false,
});

describe('cloudflare-kv specifics', () => {
  it('TTLs under the platform minimum are raised to 60 s instead of failing', async () => {
    const s = remoteKvStore(dev.url, 'ttl:');
    await s.set('short', 'x', { ttlSeconds: 1 });
    expect(await s.get('short')).toBe('x');
  });
});
