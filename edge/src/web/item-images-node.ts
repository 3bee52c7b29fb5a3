// Node source of item images: the files the prepared dataset names (items.jsonl `modalities.image`, e.g.
// ML-100K posters). Only those files are readable; each is read once and kept (posters are small: ~15 KB).
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ItemImage, ItemImageSource } from './item-images.ts';

const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif' };

export function fileItemImages(paths: ReadonlyMap<string, string>, maxCached = 5000): ItemImageSource {
  const cache = new Map<string, Promise<ItemImage | null>>();
  return {
    get(itemId) {
      const path = paths.get(itemId);
      const type = path ? TYPES[extname(path).toLowerCase()] : undefined;
      if (!path || !type) return Promise.resolve(null);
      let hit = cache.get(itemId);
      if (!hit) {
        hit = readFile(path).then(
          (b) => ({ body: new Uint8Array(b), contentType: type }),
          () => null,
        );
        if (cache.size < maxCached) cache.set(itemId, hit);
      }
      return hit;
    },
  };
}
