// Item images (posters) for pages and the <llmrec-recommendations> widget: GET /media/items/{id}, public like
// the catalog titles the API already returns, cacheable, embeddable from any origin. Where the bytes come
// from is injected (AppDeps.itemImages): files named by the dataset on Node (item-images-node.ts); a Workers
// deployment has no filesystem and answers 404 until an image store is bound (widgets then show the title).
import type { Hono } from 'hono';
import { PublicId } from '@llmrec/shared/api/http.ts';
import { ApiError } from '../errors.ts';
import type { EdgeEnv } from '../routes/common.ts';

export interface ItemImage {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
}

export interface ItemImageSource {
  /** The image of an item, or null when it has none. */
  get(itemId: string): Promise<ItemImage | null>;
}

export const MEDIA_PATH = '/media/items';

export function registerItemImages(app: Hono<EdgeEnv>, source: ItemImageSource | undefined): void {
  app.get(`${MEDIA_PATH}/:id`, async (c) => {
    const id = c.req.param('id');
    if (!PublicId.safeParse(id).success) throw new ApiError(400, 'bad_request', 'not an item id', [{ path: 'id', message: 'ids contain only letters, digits and _ . : @ -' }]);
    const img = source ? await source.get(id) : null;
    if (!img) throw new ApiError(404, 'no_image', source ? `item ${id} has no image` : 'this edge serves no item images (no image store configured)');
    return c.body(img.body, 200, {
      'content-type': img.contentType,
      'cache-control': 'public, max-age=86400',
      'cross-origin-resource-policy': 'cross-origin',
      'access-control-allow-origin': '*',
    });
  });
}
