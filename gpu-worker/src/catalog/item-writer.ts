// Writes items into the live catalog (issue 11, PUT /v1/items and DELETE /v1/items/{id} through the worker):
// for each new or changed item, the image is decoded or fetched under the image policy, the frozen content
// encoders give its features, the content tower its joint latent z_item, and the published PQ codebooks its code;
// then item records, evidence and media go to KV, then the changed code chunks, then the live head (one
// revision per call). Nothing is written unless every item of the batch is usable, so a bad item loses nothing.
// One writer per process (calls are serialised); run catalog writes against one worker (docs/api.md).
import { createHash } from 'node:crypto';
import type { ItemInput } from '@llmrec/shared/api/items.ts';
import { imageBytesProblems, sniffImageType } from '@llmrec/shared/catalog/image-policy.ts';
import { contentHash, liveEvidence, liveText } from '@llmrec/shared/catalog/item-content.ts';
import { mergeView, writeLiveRevision, type LiveChange, type LiveView } from '@llmrec/shared/catalog/live.ts';
import { pqEncode, type Codebooks } from '@llmrec/shared/catalog/pq-encode.ts';
import { getChunkedMany, putChunkedMany } from '@llmrec/shared/kv/chunked.ts';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { base64ToBytes, base64ToFloat32, bytesToBase64, float32ToBase64 } from '@llmrec/shared/base64.ts';
import { pqFromValues } from '@llmrec/shared/kv/pq-values.ts';
import { encodeValue, getTyped, mgetTyped, parseValue } from '@llmrec/shared/kv/typed.ts';
import { ItemEvidence, LiveChunk, LiveItem, LiveMedia, PqCodebooks, PqCodes } from '@llmrec/shared/kv/values.ts';
import type { Modality } from '@llmrec/shared/features.ts';
import type { ContentTower } from './content-tower.ts';
import type { FetchedImage } from './image-fetch.ts';
import { itemText } from '../encoders/item-text.ts';
import { UnreadableImageError, type ItemEncoders } from './item-encoders.ts';
import type { WorkerCatalog } from './live-state.ts';

/** A problem with one field of the request (mapped to 400 with its path). */
export interface WriteProblem {
  path: string;
  message: string;
}

/** The batch cannot be written as sent (every problem listed; nothing was written). */
export class CatalogInputError extends Error {
  constructor(readonly problems: WriteProblem[]) {
    super(`${problems.length} problem(s) with the items`);
    this.name = 'CatalogInputError';
  }
}

/** The worker cannot write items now (no tower, no codebooks, model mismatch): 503 / 409 with the reason. */
export class CatalogUnavailableError extends Error {
  constructor(readonly code: 'no_content_tower' | 'no_encoders' | 'not_published' | 'no_codebooks' | 'model_mismatch', message: string) {
    super(message);
    this.name = 'CatalogUnavailableError';
  }
}

export interface ItemWriterDeps {
  catalog: WorkerCatalog;
  tower: ContentTower | null;
  encoders: ItemEncoders;
  fetchImage: (url: string) => Promise<FetchedImage>;
  now?: () => Date;
}

export interface WriteResult {
  version: string;
  rev: number;
  items: { id: string; idx: number; status: 'created' | 'updated' | 'unchanged' | 'hidden' | 'restored' }[];
}

interface Prepared {
  input: ItemInput;
  at: number;
  idx: number;
  existing: LiveItem | null;
  image: { bytes: Uint8Array; contentType: string; sha256: string; url?: string } | null;
  /** Keep the stored image (the request did not mention one). */
  keepImage: boolean;
  hash: string;
  embed: boolean;
}

export class ItemWriter {
  private queue: Promise<unknown> = Promise.resolve();
  private books: { version: string; value: Codebooks & { dim: number } } | null = null;

  constructor(private readonly deps: ItemWriterDeps) {}

  /** Create or change items (one live revision). */
  upsert(items: readonly ItemInput[]): Promise<WriteResult> {
    return this.serial(() => this.doUpsert(items));
  }

  /** Hide items from every recommendation (DELETE /v1/items/{id}); unknown ids are an input error. */
  hide(ids: readonly string[]): Promise<WriteResult> {
    return this.serial(() => this.doHide(ids));
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async ready(): Promise<{ view: LiveView; version: string }> {
    const cat = this.deps.catalog;
    await cat.sync();
    if (!cat.version || !cat.view) throw new CatalogUnavailableError('not_published', 'no catalog has been published to this store yet (run `llmrec publish`)');
    if (cat.mismatch) throw new CatalogUnavailableError('model_mismatch', cat.mismatch);
    return { view: cat.view, version: cat.version };
  }

  private async codebooks(version: string): Promise<Codebooks & { dim: number }> {
    if (this.books?.version === version) return this.books.value;
    const cb = await getTyped(this.deps.catalog.store, PqCodebooks, keys.pqCodebooks(version));
    if (!cb) throw new CatalogUnavailableError('no_codebooks', `the published catalog ${version} has no PQ codebooks: publish it with a serving bundle (llmrec publish --artifacts ...)`);
    const model = pqFromValues(cb, []);
    const value = { m: cb.m, k: cb.k, dsub: cb.dsub, dim: cb.dim, centroids: model.codebooks };
    this.books = { version, value };
    return value;
  }

  private async doUpsert(items: readonly ItemInput[]): Promise<WriteResult> {
    const { view, version } = await this.ready();
    const cat = this.deps.catalog;
    const store = cat.store;
    const problems: WriteProblem[] = [];
    const seen = new Map<string, number>();
    items.forEach((it, i) => {
      const first = seen.get(it.id);
      if (first !== undefined) problems.push({ path: `items.${i}.id`, message: `item ${it.id} appears twice in the batch (also items.${first})` });
      else seen.set(it.id, i);
    });
    if (problems.length) throw new CatalogInputError(problems);

    const existing = await mgetTyped(store, LiveItem, items.map((it) => keys.liveItem(version, it.id)));
    // Images first: decode or fetch every one, so a bad image fails the batch before anything is written.
    const images = await Promise.all(
      items.map(async (it, i): Promise<Prepared['image'] | 'keep' | 'none'> => {
        if (it.image === undefined) return 'keep';
        if (it.image === null) return 'none';
        try {
          if ('base64' in it.image) {
            const bytes = base64ToBytes(it.image.base64);
            const p = imageBytesProblems(bytes, it.image.contentType);
            if (p.length) throw new Error(p.join('; '));
            return { bytes, contentType: it.image.contentType ?? sniffImageType(bytes)!, sha256: sha(bytes) };
          }
          const got = await this.deps.fetchImage(it.image.url);
          return { ...got, sha256: sha(got.bytes), url: it.image.url };
        } catch (e) {
          problems.push({ path: `items.${i}.image`, message: (e as Error).message });
          return 'none';
        }
      }),
    );
    if (problems.length) throw new CatalogInputError(problems);

    let next = view.items;
    const prepared: Prepared[] = [];
    for (const [i, it] of items.entries()) {
      const ex = existing[i] ?? null;
      const img = images[i]!;
      const keepImage = img === 'keep';
      const image = img === 'keep' || img === 'none' ? null : img;
      const imageSha = keepImage ? (ex?.image?.sha256 ?? null) : (image?.sha256 ?? null);
      const hash = await contentHash(it.title, liveText(it), imageSha);
      const idx = ex?.idx ?? cat.indexOf(it.id) ?? next++;
      prepared.push({ input: it, at: i, idx, existing: ex, image, keepImage, hash, embed: !ex || ex.contentHash !== hash || ex.z === null });
    }

    const toEmbed = prepared.filter((p) => p.embed);
    const books = toEmbed.length ? await this.codebooks(version) : null;
    const tower = this.deps.tower;
    if (toEmbed.length && !tower) throw new CatalogUnavailableError('no_content_tower', 'the serving bundle has no content tower: items cannot be embedded (train with the fusion step, or hide items with DELETE)');
    const latents = toEmbed.length ? await this.embed(toEmbed, version, books!) : [];

    const now = (this.deps.now ?? (() => new Date()))().toISOString();
    const rev = view.rev + 1;
    const entries: [string, string][] = [];
    const media: [string, string][] = [];
    const changes: LiveChange[] = [];
    const local: { idx: number; id: string; rev: number; z: Float32Array | null }[] = [];
    const results: WriteResult['items'] = [];
    const embedded = new Map(toEmbed.map((p, j) => [p.at, latents[j]!]));
    for (const p of prepared) {
      const it = p.input;
      const ex = p.existing;
      const wasHidden = ex ? !ex.available : view.unavailable.has(p.idx);
      if (!p.embed && ex && ex.available === it.available) {
        results.push({ id: it.id, idx: p.idx, status: 'unchanged' });
        continue;
      }
      const e = embedded.get(p.at);
      const z = e?.z ?? (ex?.z ? base64ToFloat32(ex.z) : null);
      const text = liveText(it);
      const imageRec = p.keepImage ? (ex?.image ?? null) : p.image ? { sha256: p.image.sha256, contentType: p.image.contentType, bytes: p.image.bytes.length, ...(p.image.url ? { url: p.image.url } : {}) } : null;
      const rec: LiveItem = {
        v: 1, id: it.id, idx: p.idx, rev, available: it.available, created: ex?.created ?? p.idx >= view.baseItems,
        title: it.title, text, image: imageRec, contentHash: p.hash, z: z ? float32ToBase64(z) : null,
        features: e?.features ?? ex?.features ?? {}, embeddedWith: e?.embeddedWith ?? ex?.embeddedWith ?? {},
        createdAt: ex?.createdAt ?? now, updatedAt: now,
      };
      entries.push([keys.liveItem(version, it.id), encodeValue(LiveItem, rec)]);
      entries.push([keys.liveEvidence(version, it.id), encodeValue(ItemEvidence, liveEvidence(it.id, p.idx, it.title, text))]);
      if (p.image) media.push([keys.liveMedia(version, it.id), encodeValue(LiveMedia, { v: 1, contentType: p.image.contentType, sha256: p.image.sha256, data: bytesToBase64(p.image.bytes) })]);
      else if (!p.keepImage && ex?.image) await store.del(keys.liveMedia(version, it.id));
      changes.push({ idx: p.idx, id: it.id, metaRev: rev, available: it.available, ...(e ? { code: e.code } : {}) });
      local.push({ idx: p.idx, id: it.id, rev, z });
      const status = !ex && p.idx >= view.baseItems ? 'created' : !it.available ? 'hidden' : wasHidden && !p.embed ? 'restored' : 'updated';
      results.push({ id: it.id, idx: p.idx, status });
    }
    if (changes.length === 0) return { version, rev: view.rev, items: results };
    // Large images go in parts (Upstash caps a request at 1 MiB); records and evidence in small batches.
    if (media.length) await putChunkedMany(store, media);
    for (let i = 0; i < entries.length; i += 64) await store.setMany(entries.slice(i, i + 64));
    await this.commit(view, version, changes, local, books?.m);
    return { version, rev, items: results };
  }

  /**
   * Embeds the items `llmrec publish` carried over from the previous version (listed as pending in the live
   * head: created through the API after the export the new version was trained on) with this version's tower
   * and codebooks, from their stored content and image; shows those that were available. Returns how many.
   */
  embedPending(): Promise<number> {
    return this.serial(async () => {
      const { view, version } = await this.ready();
      const pending = view.head?.pending ?? [];
      if (pending.length === 0 || !this.deps.tower) return 0;
      const store = this.deps.catalog.store;
      const recs = (await mgetTyped(store, LiveItem, pending.map((id) => keys.liveItem(version, id)))).filter((r): r is LiveItem => r !== null);
      const prepared: Prepared[] = recs.map((r, at) => ({
        input: { id: r.id, title: r.title, available: r.available, ...(r.text.plot ? { description: r.text.plot } : {}), ...(r.text.fields ? { fields: r.text.fields } : {}), ...(r.text.genres ? { genres: r.text.genres } : {}), ...(r.text.attributes ? { attributes: r.text.attributes } : {}), ...(r.text.year !== undefined ? { year: Math.round(r.text.year) } : {}) },
        at, idx: r.idx, existing: r, image: null, keepImage: true, hash: r.contentHash, embed: true,
      }));
      const books = await this.codebooks(version);
      const latents = prepared.length ? await this.embed(prepared, version, books) : [];
      const rev = view.rev + 1;
      const now = (this.deps.now ?? (() => new Date()))().toISOString();
      const entries: [string, string][] = [];
      const changes: LiveChange[] = [];
      const local: { idx: number; id: string; rev: number; z: Float32Array | null }[] = [];
      recs.forEach((r, j) => {
        const e = latents[j]!;
        entries.push([keys.liveItem(version, r.id), encodeValue(LiveItem, { ...r, rev, z: float32ToBase64(e.z), features: e.features, embeddedWith: e.embeddedWith, updatedAt: now })]);
        changes.push({ idx: r.idx, id: r.id, code: e.code, available: r.available, metaRev: rev });
        local.push({ idx: r.idx, id: r.id, rev, z: e.z });
      });
      for (let i = 0; i < entries.length; i += 64) await store.setMany(entries.slice(i, i + 64));
      await this.commit(view, version, changes, local, books.m, []);
      return recs.length;
    });
  }

  private async doHide(ids: readonly string[]): Promise<WriteResult> {
    const { view, version } = await this.ready();
    const cat = this.deps.catalog;
    const problems: WriteProblem[] = [];
    const targets = ids.map((id, i) => {
      const idx = cat.indexOf(id);
      if (idx === undefined) problems.push({ path: ids.length === 1 ? 'id' : `ids.${i}`, message: `unknown item id ${JSON.stringify(id)}` });
      return { id, idx: idx ?? -1 };
    });
    if (problems.length) throw new CatalogInputError(problems);
    const already = targets.filter((t) => view.unavailable.has(t.idx));
    const todo = targets.filter((t) => !view.unavailable.has(t.idx));
    const results: WriteResult['items'] = already.map((t) => ({ id: t.id, idx: t.idx, status: 'unchanged' as const }));
    if (todo.length === 0) return { version, rev: view.rev, items: results };
    const rev = view.rev + 1;
    const existing = await mgetTyped(cat.store, LiveItem, todo.map((t) => keys.liveItem(version, t.id)));
    const entries: [string, string][] = [];
    existing.forEach((ex) => {
      if (ex) entries.push([keys.liveItem(version, ex.id), encodeValue(LiveItem, { ...ex, available: false, rev, updatedAt: (this.deps.now ?? (() => new Date()))().toISOString() })]);
    });
    if (entries.length) await cat.store.setMany(entries);
    // A published item keeps its published metadata (no metadata revision); only its availability changes.
    const changes: LiveChange[] = todo.map((t, j) => ({ idx: t.idx, id: t.id, available: false, ...(existing[j] ? { metaRev: rev } : {}) }));
    const books = await getTyped(cat.store, PqCodebooks, keys.pqCodebooks(version));
    await this.commit(view, version, changes, [], books?.m);
    for (const t of todo) results.push({ id: t.id, idx: t.idx, status: 'hidden' });
    return { version, rev, items: results };
  }

  private async commit(view: LiveView, version: string, changes: LiveChange[], local: { idx: number; id: string; rev: number; z: Float32Array | null }[], m: number | undefined, pending?: readonly string[]): Promise<void> {
    const store = this.deps.catalog.store;
    const codeWidth = m ?? (await getTyped(store, PqCodebooks, keys.pqCodebooks(version)))?.m ?? 1;
    const baseChunk = async (c: number) => {
      const codes = await getTyped(store, PqCodes, keys.pqCodes(version, c));
      const start = c * 4096;
      const ids = [...view.ids.slice(start, Math.min(view.baseItems, start + 4096))];
      return { ids, codes: codes ? base64ToBytes(codes.codes) : new Uint8Array(ids.length * codeWidth) };
    };
    const head = await writeLiveRevision(store, view, codeWidth, changes, baseChunk, (this.deps.now ?? (() => new Date()))(), pending);
    // The new view without re-reading what we just wrote: the changed chunks come back through one read.
    const chunks = new Map(view.chunks);
    const changed = Object.entries(head.chunks).filter(([c, r]) => view.chunks.get(Number(c))?.rev !== r);
    const got = await mgetTyped(store, LiveChunk, changed.map(([c, r]) => keys.liveChunk(version, Number(c), r)));
    got.forEach((ch, j) => ch && chunks.set(Number(changed[j]![0]), { ...ch, rev: changed[j]![1] }));
    this.deps.catalog.applyLocal(mergeView(version, view.ids.slice(0, view.baseItems), head, chunks), local);
  }

  /** Features -> tower -> code for the items to embed, in batch. */
  private async embed(list: Prepared[], version: string, books: Codebooks & { dim: number }): Promise<{ z: Float32Array; code: Uint8Array; features: Record<string, string>; embeddedWith: Record<string, string> }[]> {
    const tower = this.deps.tower!;
    const enc = this.deps.encoders;
    const B = list.length;
    if (tower.dim && tower.dim !== books.dim) throw new CatalogUnavailableError('model_mismatch', `the content tower outputs ${tower.dim} dims, the published latents have ${books.dim}`);
    if (!tower.inputs.some((i) => i.modality !== 'audio' && enc[i.modality])) throw new CatalogUnavailableError('no_encoders', `no content encoder for any modality the tower reads (${tower.inputs.map((i) => i.modality).join(', ')}): configure the encoders (gpu-worker/src/encoders)`);
    // Stored images of items whose PUT did not resend one (the image is part of what is embedded).
    const keep = list.filter((p) => p.keepImage && p.existing?.image);
    const kept = new Map<string, Uint8Array>();
    const raws = keep.length ? await getChunkedMany(this.deps.catalog.store, keep.map((p) => keys.liveMedia(version, p.input.id))) : [];
    raws.forEach((raw, j) => raw !== null && kept.set(keep[j]!.input.id, base64ToBytes(parseValue(LiveMedia, keys.liveMedia(version, keep[j]!.input.id), raw).data)));
    const images = list.map((p) => p.image?.bytes ?? kept.get(p.input.id) ?? null);
    const features: Partial<Record<Modality, Float32Array>> = {};
    const present: Partial<Record<Modality, Float32Array>> = {};
    const used: Record<string, string> = { tower: tower.id };
    for (const { modality, dim } of tower.inputs) {
      const x = new Float32Array(B * dim);
      const pres = new Float32Array(B);
      if (modality === 'text' && enc.text) {
        if (enc.text.dim !== dim) throw new CatalogUnavailableError('model_mismatch', `the text encoder gives ${enc.text.dim} dims, the tower reads ${dim}`);
        // The text exactly as the offline features composed it (encoders/item-text.ts), so both embeddings agree.
        x.set(await enc.text.encode(list.map((p) => apiItemText(p.input))));
        pres.fill(1);
        used.text = enc.text.id;
      } else if (modality === 'image' && enc.image) {
        if (enc.image.dim !== dim) throw new CatalogUnavailableError('model_mismatch', `the image encoder gives ${enc.image.dim} dims, the tower reads ${dim}`);
        const withImage = images.map((b, j) => (b ? j : -1)).filter((j) => j >= 0);
        if (withImage.length) {
          let f: Float32Array;
          try {
            f = await enc.image.encode(withImage.map((j) => images[j]!));
          } catch (e) {
            if (e instanceof UnreadableImageError) throw new CatalogInputError([{ path: `items.${list[withImage[e.index]!]!.at}.image`, message: `the image cannot be read: ${e.message}` }]);
            throw e;
          }
          withImage.forEach((j, r) => {
            x.set(f.subarray(r * dim, (r + 1) * dim), j * dim);
            pres[j] = 1;
          });
          used.image = enc.image.id;
        }
      }
      features[modality] = x;
      present[modality] = pres;
    }
    const z = await tower.embed(B, features, present);
    const D = z.length / B;
    if (D !== books.dim) throw new CatalogUnavailableError('model_mismatch', `the content tower gave ${D} dims, the published latents have ${books.dim}`);
    return list.map((_, j) => {
      const zj = z.slice(j * D, (j + 1) * D);
      if (!zj.every(Number.isFinite)) throw new CatalogInputError([{ path: `items.${list[j]!.at}`, message: 'the content tower gave a non-finite latent for this item' }]);
      const feats: Record<string, string> = {};
      for (const { modality, dim } of tower.inputs) if (present[modality]![j]) feats[modality] = float32ToBase64(features[modality]!.slice(j * dim, (j + 1) * dim));
      return { z: zj, code: pqEncode(books, zj), features: feats, embeddedWith: used };
    });
  }
}

/**
 * What the text encoder reads for an item of the API, composed as encoders/item-text.ts composes a dataset item's:
 * `fields.director` and `fields.cast` (comma-separated) are read as the dataset's director and cast, so an item
 * sent with a dataset item's content embeds exactly as that item's offline features (bench/catalog.ts measures it);
 * every other field is read as 'name: value', as an imported dataset's `text_<name>` columns are.
 */
export function apiItemText(it: Pick<ItemInput, 'id' | 'title' | 'genres' | 'year' | 'description' | 'attributes' | 'fields'>): string {
  const list = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);
  const { director: d, cast: c, ...others } = it.fields ?? {};
  const director = list(d);
  const cast = list(c);
  const { fields: _, ...text } = liveText(it);
  return itemText({ id: it.id, title: it.title, text: { ...text, ...(Object.keys(others).length ? { fields: others } : {}), ...(director?.length ? { director } : {}), ...(cast?.length ? { cast } : {}) } });
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
