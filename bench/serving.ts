// Serving benchmark (issue 4): on ML-100K, with the worker and the edge as separate local processes on the
// embedded SQLite store and autocannon as the client —
//   - end-to-end POST /v1/recommend with 100 candidates on the CPU worker: client latency p50/p99, req/s;
//   - edge overhead = everything but the worker call, from the edge's Server-Timing (edge;dur) per response;
//   - the degraded path (worker unreachable): req/s and latency.
import autocannon from 'autocannon';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBundleDir } from '@llmrec/cli/serving/local-stack.ts';
import { buildBundle } from '@llmrec/cli/commands/publish.ts';
import { readDataset, readItems, readUsers } from '@llmrec/data/read.ts';
import { createSqliteStore } from '@llmrec/edge/kv/sqlite-store.ts';
import { publishBundle } from '@llmrec/shared/kv/publish.ts';
import { freePort, spawnService, spawnWorker, type Child } from './lib/services.ts';
import { atLeast, atMost, percentile, type BenchSuite } from './lib/suite.ts';

const KEY = 'bench-key-0123456789';
const SECRET = 'bench-secret-0123456789';
const DATASET = 'ml-100k';

interface PhaseResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  edgeMs: number[];
  workerMs: number[];
  degraded: number;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux; NaN elsewhere). 100 ticks/s. */
function procCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function load(url: string, opts: { connections: number; duration: number; body: () => unknown }): Promise<PhaseResult> {
  const edgeMs: number[] = [];
  const workerMs: number[] = [];
  let degraded = 0;
  const res = await autocannon({
    url,
    connections: opts.connections,
    duration: opts.duration,
    requests: [
      {
        method: 'POST',
        path: '/v1/recommend',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify(opts.body()) }),
        onResponse: (status: number, body: string, _ctx: unknown, headers: Record<string, string>) => {
          const st = headers['server-timing'] ?? '';
          const e = /edge;dur=([\d.]+)/.exec(st);
          const w = /worker;dur=([\d.]+)/.exec(st);
          if (e) edgeMs.push(Number(e[1]));
          if (w) workerMs.push(Number(w[1]));
          if (status === 200 && body.includes('"degraded":true')) degraded++;
        },
      },
    ],
  } as never);
  const r = res as unknown as { requests: { average: number; total: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors, edgeMs, workerMs, degraded };
}

export const suite: BenchSuite = {
  name: 'serving',
  description: 'edge overhead, end-to-end recommend with 100 candidates on the CPU worker, degraded-path throughput',
  async run(ctx) {
    const dsDir = join(ctx.home, 'datasets', DATASET);
    if (!existsSync(join(dsDir, 'dataset.json'))) throw new Error(`dataset ${DATASET} is not prepared under ${ctx.home} (run: llmrec data --dataset ml-100k --from ../shared/data/ml-100k)`);
    const tmp = mkdtempSync(join(tmpdir(), 'llmrec-bench-serving-'));
    const children: Child[] = [];
    try {
      const { dir: bundleDir, source } = resolveBundleDir({ home: ctx.home, dataset: DATASET, log: ctx.log });
      const ds = readDataset(dsDir);
      const items = readItems(dsDir);
      const users = readUsers(dsDir).map((u) => u.id);
      const storePath = join(tmp, 'kv.sqlite');
      const store = createSqliteStore(storePath);
      const rep = await publishBundle(store, buildBundle(ds, items, users, 100));
      await store.close();
      ctx.log(`published ${rep.version} to ${storePath}; serving the ${source} bundle from ${bundleDir}`);

      const wport = await freePort();
      const worker = await spawnWorker({ LLMREC_WORKER_PORT: String(wport), LLMREC_WORKER_SECRET: SECRET, LLMREC_ARTIFACTS: bundleDir, LLMREC_DEVICE: 'cpu', LLMREC_LOG: 'off', LLMREC_ADAPTERS: 'off' }, wport, 60_000);
      children.push(worker);
      const edgeEnv = (workerUrl: string, port: number, processes = 1) => ({
        LLMREC_EDGE_PROCESSES: String(processes),
        LLMREC_STORE: `sqlite:${storePath}`,
        LLMREC_API_KEYS: KEY,
        LLMREC_WORKER_URL: workerUrl,
        LLMREC_WORKER_SECRET: SECRET,
        LLMREC_EDGE_PORT: String(port),
        LLMREC_LOG: 'off',
        LLMREC_RATE_LIMIT: '100000000/60',
      });
      const eport = await freePort();
      const edge = await spawnService('edge/src/entry-node.ts', edgeEnv(worker.url, eport), eport);
      children.push(edge);

      const rand = rng(42);
      const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)]!;
      const itemIds = items.map((i) => i.id);
      const withCandidates = () => ({ userId: pick(users), k: 10, candidates: Array.from({ length: 100 }, () => pick(itemIds)) });
      const duration = ctx.durationSec;
      ctx.log('warm-up');
      await load(edge.url, { connections: 4, duration: 2, body: withCandidates });
      ctx.log(`edge overhead: 1 connection (no self-queueing), 100 candidates, ${duration} s`);
      const solo = await load(edge.url, { connections: 1, duration, body: withCandidates });
      ctx.log(`edge overhead: ${solo.requests} requests, p50 ${percentile(solo.edgeMs, 50).toFixed(2)} ms, p99 ${percentile(solo.edgeMs, 99).toFixed(2)} ms`);
      ctx.log(`end-to-end recommend, 100 candidates, 8 connections, ${duration} s`);
      const cpu0 = { edge: procCpuMs(edge.proc.pid), worker: procCpuMs(worker.proc.pid) };
      const e2e = await load(edge.url, { connections: 8, duration, body: withCandidates });
      const e2eCpu = { edge: (procCpuMs(edge.proc.pid) - cpu0.edge) / e2e.requests, worker: (procCpuMs(worker.proc.pid) - cpu0.worker) / e2e.requests };
      ctx.log(`end-to-end: ${e2e.requests} requests, ${e2e.rps.toFixed(0)} req/s, p50 ${e2e.p50} ms, p99 ${e2e.p99} ms, degraded ${e2e.degraded}`);

      // Degraded path: edges whose worker URL points at a closed port (worker unreachable); one process, and
      // two processes on one port (node:cluster), since one Node process uses one core.
      const deadPort = await freePort();
      const noCandidates = () => ({ userId: pick(users), k: 10 });
      const degradedRuns: Record<number, PhaseResult> = {};
      let degradedCpuPerReq = Number.NaN;
      for (const processes of [1, 2]) {
        const dport = await freePort();
        const dedge = await spawnService('edge/src/entry-node.ts', edgeEnv(`http://127.0.0.1:${deadPort}`, dport, processes), dport);
        children.push(dedge);
        await load(dedge.url, { connections: 8, duration: 2, body: noCandidates });
        ctx.log(`degraded path (worker unreachable), ${processes} edge process(es), 32 connections, ${duration} s`);
        const dcpu0 = procCpuMs(dedge.proc.pid);
        const deg = await load(dedge.url, { connections: 32, duration, body: noCandidates });
        if (processes === 1) degradedCpuPerReq = (procCpuMs(dedge.proc.pid) - dcpu0) / deg.requests;
        ctx.log(`degraded x${processes}: ${deg.requests} requests, ${deg.rps.toFixed(0)} req/s, p99 ${deg.p99} ms, degraded answers ${deg.degraded}`);
        degradedRuns[processes] = deg;
        await dedge.kill('SIGTERM');
      }
      const deg = degradedRuns[1]!;
      const deg2 = degradedRuns[2]!;

      return {
        metrics: {
          edge_overhead_p50: { value: percentile(solo.edgeMs, 50), unit: 'ms', note: '1 connection: the time the edge adds to one request' },
          edge_overhead_p99: atMost(percentile(solo.edgeMs, 99), 'ms', 5),
          e2e_recommend_p50_1conn: { value: solo.p50, unit: 'ms' },
          e2e_recommend_p99_1conn: { value: solo.p99, unit: 'ms' },
          edge_overhead_p50_8conn: { value: percentile(e2e.edgeMs, 50), unit: 'ms', note: 'under 8 concurrent connections (includes waiting on the event loop behind other requests)' },
          edge_overhead_p99_8conn: { value: percentile(e2e.edgeMs, 99), unit: 'ms' },
          e2e_recommend_p50: { value: e2e.p50, unit: 'ms', note: 'client-side (autocannon), 100 candidates, CPU worker' },
          e2e_recommend_p99: { value: e2e.p99, unit: 'ms' },
          e2e_recommend_rps: { value: e2e.rps, unit: 'req/s' },
          worker_call_p50: { value: percentile(e2e.workerMs, 50), unit: 'ms' },
          worker_call_p99: { value: percentile(e2e.workerMs, 99), unit: 'ms' },
          edge_cpu_per_e2e_request: { value: e2eCpu.edge, unit: 'ms', note: 'edge process CPU time / requests (/proc), independent of other load' },
          worker_cpu_per_e2e_request: { value: e2eCpu.worker, unit: 'ms' },
          degraded_cpu_per_request: { value: degradedCpuPerReq, unit: 'ms', note: 'one edge process; 1000 / this = req/s one core can serve' },
          degraded_rps: atLeast(deg.rps, 'req/s', 2000),
          degraded_p99: { value: deg.p99, unit: 'ms' },
          degraded_rps_2_processes: atLeast(deg2.rps, 'req/s', 2000),
          degraded_p99_2_processes: { value: deg2.p99, unit: 'ms' },
        },
        setup: {
          data: `${DATASET} (${ds.nUsers} users, ${ds.nItems} items), catalog published to embedded SQLite`,
          model: `${source} serving bundle (${bundleDir})`,
          processes: 'worker and edge are separate Node processes; autocannon runs in the bench process; all on this machine',
          overhead: { connections: 1, durationSec: duration, requests: solo.requests, non2xx: solo.non2xx, errors: solo.errors, degradedAnswers: solo.degraded },
          e2e: { connections: 8, durationSec: duration, requests: e2e.requests, non2xx: e2e.non2xx, errors: e2e.errors, degradedAnswers: e2e.degraded, candidates: 100, k: 10 },
          degraded: Object.fromEntries(Object.entries(degradedRuns).map(([p, d]) => [`${p}_process`, { connections: 32, durationSec: duration, requests: d.requests, non2xx: d.non2xx, errors: d.errors, degradedAnswers: d.degraded }])),
          edgeOverheadDefinition: 'Server-Timing edge;dur = time inside the edge app minus the worker call (auth, rate limit, KV reads, prompt assembly, validation, JSON)',
        },
        notes: ['Measured on a shared 2-core development machine; other agents load the CPUs (see machine.loadavg).'],
      };
    } finally {
      for (const c of children.reverse()) await c.kill('SIGTERM').catch(() => undefined);
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
