// What an item written through PUT /v1/items is, in the forms the rest of the system reads (issue 11): its
// canonical text (the items.jsonl `text` shape, docs/dataset-format.md), a content hash (an identical PUT changes nothing), its item metadata and its evidence-dictionary entry (the
// attribute facts a rationale may cite: a new item has no co-interactions yet). Runtime-neutral. (The text the
// encoders embed is composed by gpu-worker/src/encoders/item-text.ts, as for the offline features.)
import type { ItemInput } from '../api/items.ts';
import { itemFacts } from '../evidence/item-facts.ts';
import { DEFAULT_MIN_CO_USERS } from '../evidence/schema.ts';
import type { ItemEvidence, LiveItemText } from '../kv/values.ts';

/** The canonical text of an item given as the API and the generic import formats give it. */
export function liveText(it: Pick<ItemInput, 'genres' | 'year' | 'description' | 'attributes' | 'fields'>): LiveItemText {
  const t: LiveItemText = {};
  if (it.genres?.length) t.genres = it.genres;
  if (it.year !== undefined) t.year = it.year;
  if (it.description) t.plot = it.description;
  if (it.attributes?.length) t.attributes = it.attributes;
  if (it.fields && Object.keys(it.fields).length) t.fields = it.fields;
  return t;
}

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Hash of what decides an item's embedding: title, text fields and the image bytes' digest. */
export function contentHash(title: string, text: LiveItemText, imageSha256: string | null): Promise<string> {
  const sorted = Object.fromEntries(Object.entries(text).sort(([a], [b]) => a.localeCompare(b)));
  return sha256Hex(JSON.stringify({ title, text: sorted, image: imageSha256 }));
}

/** The evidence-dictionary entry of a live item: readable snippets and the attribute facts a rationale may cite. */
export function liveEvidence(id: string, idx: number, title: string, text: LiveItemText): ItemEvidence {
  const e: ItemEvidence['evidence'] = [];
  if (text.genres?.length) e.push({ kind: 'genre', text: `Genres: ${text.genres.join(', ')}` });
  if (text.year) e.push({ kind: 'year', text: `Released ${text.year}` });
  if (text.attributes?.length) e.push({ kind: 'attributes', text: text.attributes.slice(0, 8).join(', ') });
  if (text.plot) e.push({ kind: 'plot', text: text.plot.length > 300 ? `${text.plot.slice(0, 297)}...` : text.plot });
  const facts = itemFacts({ idx, id, title, text }).attributes.filter((f) => f.value.trim().length > 0);
  return { v: 1, itemId: id, evidence: e, facts, co: [], minCoUsers: DEFAULT_MIN_CO_USERS };
}

/** Digest of a user id in the erased-users list (never the id itself). */
export function userDigest(userId: string): Promise<string> {
  return sha256Hex(`llmrec-user:${userId}`);
}

/** Digest of an erased user's event id in the erased-events list (event ids are client strings that may name the user). */
export function eventDigest(eventId: string): Promise<string> {
  return sha256Hex(`llmrec-event:${eventId}`);
}
