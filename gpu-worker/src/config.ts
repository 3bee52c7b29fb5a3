// Worker configuration: read once at start from the environment, validated with zod.
import { z } from 'zod';
import { DEFAULT_COLD_CONTENT_WEIGHT } from '@llmrec/shared/catalog/cold-content.ts';
import { isLoopbackHost } from './worker-secret.ts';

export const WorkerConfig = z
  .object({
    port: z.coerce.number().int().min(0).max(65535).default(8788),
    host: z.string().default('127.0.0.1'),
    /**
     * Shared secret the edge sends in x-llmrec-worker-secret. Optional only while the worker listens on a
     * loopback address (one machine, e.g. `llmrec serve`); any other bind address requires it.
     */
    secret: z.string().min(8, 'LLMREC_WORKER_SECRET needs at least 8 characters').optional(),
    /** Folder holding the artifacts manifest (the output of `llmrec train`). */
    artifactsDir: z.string().min(1),
    device: z.enum(['auto', 'cuda', 'cpu']).default('auto'),
    /** ONNX intra-op threads; 1 by default: the encoders are tiny and the worker batches requests instead (0 = onnxruntime's choice). */
    threads: z.coerce.number().int().min(0).default(1),
    maxBatch: z.coerce.number().int().min(1).max(1024).default(64),
    /** In-flight requests are given this long to finish on SIGTERM. */
    shutdownGraceMs: z.coerce.number().int().min(0).default(10_000),
    log: z.enum(['json', 'off']).default('json'),
    /** Online adapters (Eq. 1) polled from the store LLMREC_STORE names; off = static z_u . z_i only. */
    adapters: z.enum(['on', 'off']).default('on'),
    /** The item API (issue 11): the live catalog synced from the store LLMREC_STORE names, item writes embedded by the bundle's content tower; off = published items only, no store needed for it. */
    catalog: z.enum(['on', 'off']).default('on'),
    /** Hosts item image URLs may name (LLMREC_IMAGE_HOSTS, comma-separated; the edge checks the same list). */
    imageHosts: z.array(z.string().min(1)).default([]),
    /** Weight of the content-profile term for items without CF signal (shared/src/catalog/cold-content.ts); 0 = off. */
    coldContentWeight: z.coerce.number().min(0).max(1000).default(DEFAULT_COLD_CONTENT_WEIGHT),
    /** $LLMREC_HOME: the content encoders' converted models and the offline features live under it. */
    home: z.string().min(1).default('.llmrec'),
  })
  .superRefine((c, ctx) => {
    if (!c.secret && !isLoopbackHost(c.host)) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: `LLMREC_WORKER_SECRET is required when the worker listens on ${c.host} (not a loopback address)` });
    }
  });
export type WorkerConfig = z.infer<typeof WorkerConfig>;

export function workerConfigFromEnv(env: Record<string, string | undefined>): WorkerConfig {
  const r = WorkerConfig.safeParse({
    port: env.LLMREC_WORKER_PORT,
    host: env.LLMREC_WORKER_HOST,
    secret: env.LLMREC_WORKER_SECRET || undefined,
    artifactsDir: env.LLMREC_ARTIFACTS,
    device: env.LLMREC_DEVICE,
    threads: env.LLMREC_WORKER_THREADS,
    maxBatch: env.LLMREC_WORKER_MAX_BATCH,
    log: env.LLMREC_LOG,
    adapters: env.LLMREC_ADAPTERS,
    catalog: env.LLMREC_CATALOG,
    imageHosts: imageHostsFromEnv(env),
    coldContentWeight: env.LLMREC_COLD_CONTENT_WEIGHT || undefined,
    home: env.LLMREC_HOME || undefined,
  });
  if (!r.success) throw new Error(`invalid worker configuration: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** LLMREC_IMAGE_HOSTS as a list (comma-separated exact hosts or `*.example.com`), as the edge reads it. */
export function imageHostsFromEnv(env: Record<string, string | undefined>): string[] {
  return (env.LLMREC_IMAGE_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
}

/** LLMREC_COLD_CONTENT_WEIGHT alone (the local stack reads it without the rest of the worker's configuration). */
export function coldContentWeightFromEnv(env: Record<string, string | undefined>): number {
  const r = WorkerConfig.shape.coldContentWeight.safeParse(env.LLMREC_COLD_CONTENT_WEIGHT || undefined);
  if (!r.success) throw new Error(`invalid LLMREC_COLD_CONTENT_WEIGHT: ${r.error.issues.map((i) => i.message).join('; ')}`);
  return r.data;
}
