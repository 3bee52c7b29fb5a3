// Runs the KV conformance suite inside REAL workerd (`wrangler dev`, offline, local KV simulation) through
// test-support/workerd/kv-worker.ts: the Cloudflare KV binding backend, and the Upstash backend running in the
// Workers runtime against a real redis-server (via the local Upstash REST endpoint) — the edge's Workers setup.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKvConformance } from '../../../test-support/kv-conformance.ts';
import { startRedisRest, type UpstashRestServer } from '../../../test-support/upstash-rest-server.ts';
import { remoteKvStore, repoRoot, startWranglerDev, type WranglerDev } from '../../../test-support/wrangler-dev.ts';

let dev: WranglerDev;
let rest: UpstashRestServer;
beforeAll(async () => {
  rest = await startRedisRest();
  dev = await startWranglerDev(join(repoRoot, 'test-support', 'workerd', 'wrangler.toml'));
}, 90_000);
afterAll(async () => {
  await dev?.stop();
  await rest?.close();
});

runKvConformance('cloudflare-kv (workerd)', {
  open: async (ns) => remoteKvStore(dev.url, `${ns}:`),
  persistent: true,
  atomicSetMany: false,
  minTtlSeconds: 60,
  hasEventLog: false,
});

const run = Date.now().toString(36);
runKvConformance('upstash inside workerd (real redis via REST)', {
  open: async (ns, opts) => remoteKvStore(dev.url, `w:${run}:${ns}:`, { backend: 'upstash', url: rest.url, token: rest.token, ...opts }),
  persistent: true,
  atomicSetMany: true,
  minTtlSeconds: 1,
  hasEventLog: true,
});

describe('cloudflare-kv specifics', () => {
  it('TTLs under the platform minimum are raised to 60 s instead of failing', async () => {
    const s = remoteKvStore(dev.url, 'ttl:');
    await s.set('short', 'x', { ttlSeconds: 1 });
    expect(await s.get('short')).toBe('x');
  });
});
