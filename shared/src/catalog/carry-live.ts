// When `llmrec publish` replaces a published version, the live catalog of the previous version is carried over
// (issue 11: a catalog grows without losing API-created items): items created through the API that the new
// version does not contain (they arrived after `llmrec export`) are copied — content, features, image — with
// dense indices after the new version's items, hidden and listed as pending until a worker embeds them with the
// new version's content tower and codebooks (the latent space changed with retraining); items hidden through
// the API stay hidden in the new version. Items the new version contains were incorporated by the export and
// retraining: their published form wins. Runs before the pointer flip, so no request sees a hidden item return.
import { getChunked, putChunked } from '../kv/chunked.ts';
import { keys, PQ_CODES_CHUNK } from '../kv/keys.ts';
import { base64ToBytes } from '../base64.ts';
import type { KvStore } from '../kv/store.ts';
import { encodeValue, getTyped, mgetTyped } from '../kv/typed.ts';
import { ItemEvidence, ItemIndex, LiveItem, type PqCodes } from '../kv/values.ts';
import { emptyView, loadLiveView, readLiveHead, writeLiveRevision, type LiveChange } from './live.ts';

export interface CarryReport {
  /** Created items copied to the new version, waiting to be embedded by a worker. */
  pending: number;
  /** Items kept hidden in the new version. */
  hidden: number;
  /** Items the new version already contains (incorporated by export + retraining). */
  incorporated: number;
}

/**
 * Carries the live catalog of `from` over to `to` (whose ids and PQ code chunks are given); returns what moved.
 * Nothing is written when `from` has no live catalog.
 */
export async function carryLive(store: KvStore, from: string, to: { version: string; ids: readonly string[]; codes?: readonly PqCodes[]; m?: number }, now = new Date()): Promise<CarryReport> {
  const report: CarryReport = { pending: 0, hidden: 0, incorporated: 0 };
  if (from === to.version) return report;
  const head = await readLiveHead(store, from);
  if (!head) return report;
  const prevIds = (await getTyped(store, ItemIndex, keys.itemIndex(from)))?.ids ?? [];
  const view = await loadLiveView(store, from, prevIds, head, null);
  const newIdx = new Map(to.ids.map((id, i) => [id, i]));
  const changes: LiveChange[] = [];
  const pending: string[] = [];
  const liveIds = [...view.metaRev.keys()];
  const records = await mgetTyped(store, LiveItem, liveIds.map((id) => keys.liveItem(from, id)));
  let next = to.ids.length;
  for (const [j, id] of liveIds.entries()) {
    const rec = records[j];
    if (!rec) continue;
    if (newIdx.has(id)) {
      report.incorporated++;
      continue;
    }
    if (!rec.created) continue; // a published item of `from` that the new version dropped
    const idx = next++;
    const copy: LiveItem = { ...rec, idx, rev: 1, z: null, embeddedWith: {}, updatedAt: now.toISOString() };
    await store.set(keys.liveItem(to.version, id), encodeValue(LiveItem, copy));
    const ev = await getTyped(store, ItemEvidence, keys.liveEvidence(from, id));
    if (ev) await store.set(keys.liveEvidence(to.version, id), encodeValue(ItemEvidence, ev));
    const media = rec.image ? await getChunked(store, keys.liveMedia(from, id)) : null;
    if (media !== null) await putChunked(store, keys.liveMedia(to.version, id), media);
    // Hidden until embedded for the new latent space; `pending` tells a worker to embed it (and show it if available).
    changes.push({ idx, id, available: false, metaRev: 1 });
    if (rec.available) pending.push(id);
    report.pending += rec.available ? 1 : 0;
  }
  for (const idx of view.unavailable) {
    const id = view.ids[idx];
    const at = id === undefined ? undefined : newIdx.get(id);
    if (at === undefined || id === undefined) continue;
    changes.push({ idx: at, id, available: false });
    report.hidden++;
  }
  if (changes.length === 0) return report;
  const m = to.m ?? 1;
  const chunks = new Map((to.codes ?? []).map((c) => [Math.floor(c.start / PQ_CODES_CHUNK), c]));
  await writeLiveRevision(store, emptyView(to.version, to.ids), m, changes, async (c) => {
    const start = c * PQ_CODES_CHUNK;
    const ids = to.ids.slice(start, start + PQ_CODES_CHUNK);
    const ch = chunks.get(c);
    return { ids: [...ids], codes: ch ? base64ToBytes(ch.codes) : new Uint8Array(ids.length * m) };
  }, now, pending);
  return report;
}
