// Node entry point of the edge (thin: @hono/node-server over createApp). Used by `llmrec serve`, the demo,
// the fault tests and the benchmarks; `node --import tsx edge/src/entry-node.ts` runs it from the environment
// (LLMREC_STORE, LLMREC_API_KEYS, LLMREC_WORKER_URL, LLMREC_WORKER_SECRET, LLMREC_EDGE_PORT).
// LLMREC_EDGE_PROCESSES=n runs n processes on one port (node:cluster); rate limits are then per process on
// the embedded store (shared on Redis backends).
import { serve, type ServerType } from '@hono/node-server';
import cluster from 'node:cluster';
import { pathToFileURL } from 'node:url';
import { createApp, type AppDeps } from './app.ts';
import { edgeConfigFromEnv } from './config.ts';
import { DOCS_ASSETS_URL, registerDocsAssets } from './docs-assets-node.ts';
import { openStore } from './kv/open-store.ts';
import { keepAliveFetch } from './node-http-fetch.ts';
import { httpWorkerClient } from './worker-client.ts';

export interface RunningEdge {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEdge(deps: AppDeps, opts: { port?: number; host?: string } = {}): Promise<RunningEdge> {
  // Swagger UI's files come from node_modules here (GET /docs works offline); deps may still point elsewhere.
  const app = createApp({ ...deps, docsAssetsUrl: deps.docsAssetsUrl ?? DOCS_ASSETS_URL });
  registerDocsAssets(app);
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/** Starts the edge from environment variables; resolves once listening. */
export async function startEdgeFromEnv(env: Record<string, string | undefined> = process.env): Promise<RunningEdge> {
  const config = edgeConfigFromEnv(env);
  const store = await openStore(undefined, env);
  const edge = await startEdge(
    { store, config, worker: httpWorkerClient({ url: config.workerUrl, secret: config.workerSecret, fetch: keepAliveFetch() }) },
    { port: Number(env.LLMREC_EDGE_PORT ?? 8787), host: env.LLMREC_EDGE_HOST ?? '127.0.0.1' },
  );
  const stop = async () => {
    await edge.close();
    await store.close?.();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return edge;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const processes = Math.max(1, Number(process.env.LLMREC_EDGE_PROCESSES ?? 1) || 1);
  if (processes > 1 && cluster.isPrimary) {
    for (let i = 0; i < processes; i++) cluster.fork();
    const stop = (sig: NodeJS.Signals) => {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill(sig);
      process.exit(0);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    cluster.on('exit', (w, code) => console.error(`edge process ${w.process.pid} exited (${code})`));
  } else {
    startEdgeFromEnv().then(
      (e) => console.error(`edge listening on ${e.url}${cluster.isWorker ? ` (process ${process.pid})` : ''}`),
      (err: Error) => {
        console.error(`edge: ${err.message}`);
        process.exit(1);
      },
    );
  }
}
