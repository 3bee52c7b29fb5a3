// Public HTTP API of the catalog and user routes (issue 11): PUT /v1/items (create, change or hide up to 500
// items), DELETE /v1/items/{id}, GET /v1/items (cursor pages), DELETE /v1/users/{id} (erasure). zod schemas,
// from which the OpenAPI document is generated, as for the routes in http.ts.
import { z } from 'zod';
import { PublicId } from './http.ts';

export const CATALOG_LIMITS = {
  maxItemsPerPut: 500,
  /** Decoded image size, for base64 bytes and fetched URLs alike. */
  maxImageBytes: 1024 * 1024,
  /** Body of PUT /v1/items (images travel inside it as base64). */
  maxPutBodyBytes: 16 * 1024 * 1024,
  maxPageSize: 500,
  defaultPageSize: 100,
} as const;

/**
 * Image types the item API accepts, recognised by their leading bytes (never by the declared type alone): the
 * ones the image encoder reads (gpu-worker/src/encoders/image-input.ts decodes JPEG and PNG).
 */
export const IMAGE_TYPES = ['image/jpeg', 'image/png'] as const;
export const ImageType = z.enum(IMAGE_TYPES);
export type ImageType = z.infer<typeof ImageType>;

const base64Image = z
  .string()
  .min(4)
  .max(Math.ceil((CATALOG_LIMITS.maxImageBytes * 4) / 3) + 4, `images are at most ${CATALOG_LIMITS.maxImageBytes} bytes`)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'expected base64 (standard alphabet, no line breaks)');

export const ItemImage = z.union([
  z.object({ base64: base64Image, contentType: ImageType.optional().describe('checked against the bytes') }).strict(),
  z.object({ url: z.string().max(2048).describe('https URL on a host listed in LLMREC_IMAGE_HOSTS') }).strict(),
]);
export type ItemImage = z.infer<typeof ItemImage>;

const shortText = (max: number) => z.string().min(1).max(max);

export const ItemInput = z
  .object({
    id: PublicId,
    title: shortText(500),
    description: z.string().max(20_000).optional().describe('free-text description (plot, product text)'),
    fields: z.record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/, 'field names: letters, digits, _ (1-40)'), z.string().max(5000)).optional().describe('other free-text fields, e.g. { "brand": "..." }'),
    genres: z.array(shortText(100)).max(50).optional(),
    attributes: z.array(shortText(200)).max(100).optional(),
    year: z.number().int().min(0).max(3000).optional(),
    image: ItemImage.nullable().optional().describe('base64 bytes, or an https URL from a configured host; null removes it'),
    available: z.boolean().default(true).describe('false hides the item from every recommendation (as DELETE does)'),
  })
  .strict();
export type ItemInput = z.infer<typeof ItemInput>;
export type ItemInputRaw = z.input<typeof ItemInput>;

export const ItemsPutRequest = z.object({ items: z.array(ItemInput).min(1).max(CATALOG_LIMITS.maxItemsPerPut) }).strict();
export type ItemsPutRequest = z.infer<typeof ItemsPutRequest>;

export const ItemWriteStatus = z.enum(['created', 'updated', 'unchanged', 'hidden', 'restored']);
export type ItemWriteStatus = z.infer<typeof ItemWriteStatus>;

export const ItemWriteResult = z.object({ id: z.string(), idx: z.number().int(), status: ItemWriteStatus });

export const ItemsPutResponse = z.object({
  requestId: z.string(),
  /** Revision of the live catalog after this write (a later GET /v1/items reflects it). */
  rev: z.number().int(),
  version: z.string().describe('published version the items were added to'),
  items: z.array(ItemWriteResult),
});
export type ItemsPutResponse = z.infer<typeof ItemsPutResponse>;

export const ItemDeleteResponse = z.object({ requestId: z.string(), id: z.string(), rev: z.number().int(), status: ItemWriteStatus });

export const ItemListQuery = z
  .object({
    cursor: z.string().max(64).regex(/^[A-Za-z0-9_-]*$/, 'a cursor returned by a previous page').optional(),
    limit: z.coerce.number().int().min(1).max(CATALOG_LIMITS.maxPageSize).default(CATALOG_LIMITS.defaultPageSize),
  })
  .strict();

export const ListedItem = z.object({
  id: z.string(),
  title: z.string(),
  available: z.boolean(),
  source: z.enum(['published', 'api']).describe('published catalog, or created / changed through the item API'),
  attributes: z.record(z.string(), z.unknown()),
});

export const ItemListResponse = z.object({
  items: z.array(ListedItem),
  /** Pass as ?cursor= for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
  version: z.string(),
  rev: z.number().int(),
});
export type ItemListResponse = z.infer<typeof ItemListResponse>;

export const UserEraseResponse = z.object({
  requestId: z.string(),
  userId: z.string(),
  removed: z.object({
    history: z.boolean(),
    cachedRecs: z.boolean(),
    events: z.number().int().describe('events of the user removed from the event log (pending or not yet trimmed)'),
    adapterState: z.number().int().describe('adapter values (job checkpoint, statistics snapshots) rewritten without the user'),
  }),
});
export type UserEraseResponse = z.infer<typeof UserEraseResponse>;
