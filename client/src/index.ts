// @llmrec/client: a typed, dependency-free client for the llmrec-edge API (issue 13). ESM functions over a
// small client value, so bundlers keep only what a page calls. The <llmrec-recommendations> element is a
// separate entry (./widget/define.ts) that pulls this in.
export { createClient, retryAfterSeconds, type CallOptions, type Client, type ClientOptions } from './client.ts';
export { LlmrecError } from './errors.ts';
export { newEventId, newSessionId, randomId } from './ids.ts';
export { recommend } from './recommend.ts';
export { sendEvents, type EventInput } from './events.ts';
export { explain } from './explain.ts';
export { getItem, mediaUrl } from './items.ts';
export type * from './types.ts';
