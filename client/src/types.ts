// Request and response types of the llmrec-edge API, picked out of the generated OpenAPI types
// (api-types.ts), so they follow the edge's zod contract; nothing here is written by hand.
import type { paths } from './api-types.ts';

type Body<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Ok<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer R } } } } ? R : never;

export type RecommendRequest = Body<'/v1/recommend', 'post'>;
export type RecommendResponse = Ok<'/v1/recommend', 'post'>;
export type RecommendedItem = RecommendResponse['items'][number];
export type Explanation = NonNullable<RecommendedItem['explanation']>;
/** Where a ranking came from: the model (`worker`), or a documented fallback (`cache`, `popular`). */
export type RankingSource = RecommendResponse['source'];

export type EventsRequest = Body<'/v1/events', 'post'>;
/** One interaction as the API takes it (the batch form wraps several in { events }). */
export type EventIn = Exclude<EventsRequest, { events: unknown }>;
export type EventsResponse = Ok<'/v1/events', 'post'>;

export type ExplainRequest = Body<'/v1/explain', 'post'>;
export type ExplainResponse = Ok<'/v1/explain', 'post'>;

export type ItemResponse = Ok<'/v1/items/{id}', 'get'>;

/** Every non-2xx body. */
export type ErrorBody = paths['/v1/recommend']['post']['responses'][400]['content']['application/json'];
