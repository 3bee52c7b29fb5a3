// Starts the worker's HTTP server on Node with graceful shutdown: on close/SIGTERM it stops accepting,
// reports not-ready, lets in-flight requests finish (up to the grace period), then releases the ONNX
// sessions.
import { serve, type ServerType } from '@hono/node-server';
import { createWorkerApp, type WorkerAppDeps } from './app.ts';
import type { DynamicScoring } from './dynamic-scoring.ts';
import type { LlmService } from './llm/serve/llm-service.ts';
import type { LatentModel } from './model.ts';
import type { ContentAttribution } from '@llmrec/shared/evidence/explain-with-model.ts';
import { assertSecretForHost } from './worker-secret.ts';

export interface RunningWorker {
  url: string;
  port: number;
  model: LatentModel;
  batcher: ReturnType<typeof createWorkerApp>['batcher'];
  close(): Promise<void>;
}

export async function startWorker(opts: {
  model: LatentModel;
  /** Required unless `host` is a loopback address (the worker refuses to start otherwise). */
  secret?: string;
  port?: number;
  host?: string;
  maxBatch?: number;
  shutdownGraceMs?: number;
  log?: (line: Record<string, unknown>) => void;
  dynamic?: DynamicScoring;
  llm?: LlmService;
  /** Content-tower attribution for POST /v1/explain (gpu-worker/src/attribution/content-attribution.ts). */
  content?: ContentAttribution;
  /** The live catalog and its writer (item API, issue 11). */
  catalog?: WorkerAppDeps['catalog'];
  cold?: WorkerAppDeps['cold'];
}): Promise<RunningWorker> {
  const host = opts.host ?? '127.0.0.1';
  assertSecretForHost(host, opts.secret);
  let draining = false;
  let inFlight = 0;
  const { app, batcher } = createWorkerApp({ model: opts.model, secret: opts.secret, maxBatch: opts.maxBatch, log: opts.log, dynamic: opts.dynamic, llm: opts.llm, catalog: opts.catalog, content: opts.content, cold: opts.cold, draining: () => draining });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve(
      {
        fetch: async (req) => {
          inFlight++;
          try {
            return await app.fetch(req);
          } finally {
            inFlight--;
          }
        },
        port: opts.port ?? 0,
        hostname: host,
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    model: opts.model,
    batcher,
    close() {
      closing ??= (async () => {
        draining = true;
        const closed = new Promise<void>((r) => server.close(() => r()));
        const deadline = Date.now() + (opts.shutdownGraceMs ?? 10_000);
        while ((inFlight > 0 || batcher.busy) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        await closed;
        opts.dynamic?.stop();
        opts.catalog?.live.stop();
        await opts.model.close();
      })();
      return closing;
    },
  };
}
