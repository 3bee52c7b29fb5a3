// GET /v1/items/{id}: one item of the published catalog; mediaUrl: where the edge serves its image.
import { call, type CallOptions, type Client } from './client.ts';
import type { ItemResponse } from './types.ts';

export function getItem(client: Client, id: string, opts?: CallOptions): Promise<ItemResponse> {
  return call<ItemResponse>(client, 'GET', `/v1/items/${encodeURIComponent(id)}`, undefined, opts);
}

/** URL of an item's image (poster) on the edge; answers 404 when the item has none. */
export function mediaUrl(client: Client, id: string): string {
  return `${client.options.baseUrl}/media/items/${encodeURIComponent(id)}`;
}
