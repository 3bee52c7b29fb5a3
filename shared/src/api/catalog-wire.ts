// The edge <-> worker wire of the catalog routes (issue 11): item writes go edge -> worker (which embeds them
// with the content tower and writes the live catalog to KV), and z_u for edge-side PQ retrieval over large
// catalogs comes from the worker's user encoder. Both sides parse with these schemas.
import { z } from 'zod';
import { PublicId } from './http.ts';
import { ItemInput, ItemWriteResult } from './items.ts';

export const WorkerItemsRequest = z.object({ v: z.literal(1), requestId: z.string().max(128), items: z.array(ItemInput).min(1).max(500) }).strict();
export type WorkerItemsRequest = z.infer<typeof WorkerItemsRequest>;

export const WorkerHideRequest = z.object({ v: z.literal(1), requestId: z.string().max(128), ids: z.array(PublicId).min(1).max(500) }).strict();
export type WorkerHideRequest = z.infer<typeof WorkerHideRequest>;

export const WorkerItemsResponse = z.object({ v: z.literal(1), version: z.string(), rev: z.number().int(), items: z.array(ItemWriteResult) });
export type WorkerItemsResponse = z.infer<typeof WorkerItemsResponse>;

/** Error body of the worker's catalog routes: 400 with problems, 409/503 with a code the edge passes on. */
export const WorkerCatalogError = z.object({
  error: z.string(),
  message: z.string(),
  problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type WorkerCatalogError = z.infer<typeof WorkerCatalogError>;

export const EncodeRequest = z.object({
  v: z.literal(1),
  requestId: z.string().max(128),
  /** Item indices of the history, oldest first. */
  history: z.array(z.number().int().min(0)).min(1).max(512),
}).strict();
export type EncodeRequest = z.infer<typeof EncodeRequest>;

export const EncodeResponse = z.object({ v: z.literal(1), requestId: z.string(), model: z.string(), z: z.array(z.number()) });
export type EncodeResponse = z.infer<typeof EncodeResponse>;
