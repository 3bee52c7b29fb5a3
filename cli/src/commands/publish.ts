// `llmrec publish`: loads the serving bundle — item metadata, popular lists, evidence dictionaries and user
// histories from the canonical dataset (docs/dataset-format.md) — into any KV backend as a new immutable
// version made visible by one pointer flip (shared/src/kv/publish.ts). Idempotent: same inputs, same version.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { datasetDir, llmrecHome, readDataset, readItems, readUsers, type Dataset, type ItemRecord } from '@llmrec/data/index.ts';
import { openStore } from '@llmrec/edge/kv/open-store.ts';
import { readNpyFloat32 } from '@llmrec/gpu-worker/npy.ts';
import { SERVING_BUNDLE_FILE, ServingBundle } from '@llmrec/shared/api/serving-bundle.ts';
import { PQ_CODES_CHUNK } from '@llmrec/shared/kv/keys.ts';
import { pqToValues } from '@llmrec/shared/kv/pq-values.ts';
import { createPqIndex, decodeAll, type PqIndex } from '@llmrec/shared/pq/codebook.ts';
import { trainPq } from '@llmrec/shared/pq/train.ts';
import { DEFAULT_MIN_CO_USERS } from '@llmrec/shared/evidence/schema.ts';
import { itemFacts } from '@llmrec/shared/evidence/item-facts.ts';
import { countPopularity, itemSnippets } from '@llmrec/shared/evidence/item-snippets.ts';
import { keys as kvKeys } from '@llmrec/shared/kv/keys.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { publishBundle, type HistoryMode, type PublishBundle } from '@llmrec/shared/kv/publish.ts';
import { describeStore, parseStoreSpec, StoreSpecError, type StoreEnv } from '@llmrec/shared/kv/store-spec.ts';
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import { erasedDigests } from '@llmrec/shared/catalog/erase-user.ts';
import { userDigest } from '@llmrec/shared/catalog/item-content.ts';
import type { HistoryEntry, PopularList } from '@llmrec/shared/kv/values.ts';
import { CliError, type Command, flag, int, optStr, str, UsageError } from '../command.ts';
import { log, progress } from '../progress.ts';

const HISTORY_MODES: HistoryMode[] = ['seed-missing', 'replace', 'skip'];
const RECENT_DAYS = 30;
/** Co-interaction partners kept per item in the evidence dictionary. */
const CO_TOP = 50;

export const command: Command = {
  name: 'publish',
  summary: 'load an artifacts bundle into a KV backend (versioned, atomic)',
  usage: [
    'llmrec publish --dataset ml-100k                              (embedded default: sqlite:$LLMREC_HOME/kv.sqlite)',
    'llmrec publish --dataset ml-100k --store sqlite:.llmrec/kv.sqlite',
    'UPSTASH_REDIS_REST_TOKEN=... llmrec publish --dataset ml-100k --store upstash:https://<db>.upstash.io',
    'KV_REST_API_URL=... KV_REST_API_TOKEN=... llmrec publish --dataset ml-100k --store vercel-kv',
    'llmrec publish --dataset ml-100k --artifacts .llmrec/artifacts/ml-100k/serving   (PQ-coded latents + encoder ref)',
    'llmrec publish --dataset ml-100k --cloudflare-bulk out/   (files for `wrangler kv bulk put`, pointer last)',
    'stores: memory | sqlite:<path> | upstash[:<url>] | redis-rest:<url> | vercel-kv[:<url>] (default: $LLMREC_STORE)',
  ].join('\n'),
  options: {
    dataset: { type: 'string', short: 'd', description: 'prepared dataset name (see llmrec data)' },
    store: { type: 'string', short: 's', description: 'target store spec (default $LLMREC_STORE or the embedded SQLite)' },
    home: { type: 'string', description: 'root of prepared datasets (default $LLMREC_HOME or ./.llmrec)' },
    artifacts: { type: 'string', description: `folder with ${SERVING_BUNDLE_FILE} (default: trained, else baseline bundle if built)` },
    'cloudflare-bulk': { type: 'string', description: 'write Cloudflare KV bulk-upload files to this folder instead of a store' },
    histories: { type: 'string', description: `user histories: ${HISTORY_MODES.join(' | ')} (default seed-missing)` },
    'history-len': { type: 'string', description: 'history entries kept per user (default 200)' },
    keep: { type: 'string', description: 'published versions kept in the store, the live one included (default 3)' },
    'popular-k': { type: 'string', description: 'items per popular list (default 100)' },
    json: { type: 'boolean', description: 'print the publish report as JSON on stdout' },
  },
  async run({ values }) {
    const name = str(values, 'dataset');
    const home = resolve(optStr(values, 'home') ?? llmrecHome());
    const dir = datasetDir(name, home);
    if (!existsSync(resolve(dir, 'dataset.json'))) throw new CliError(`no prepared dataset '${name}' at ${dir} (run: llmrec data --dataset ${name} --from <raw folder>)`);
    const historyMode = (optStr(values, 'histories') ?? 'seed-missing') as HistoryMode;
    if (!HISTORY_MODES.includes(historyMode)) throw new UsageError(`--histories must be one of ${HISTORY_MODES.join(', ')}`);
    const historyLen = int(values, 'history-len', 200, 1, 10_000);
    const popularK = int(values, 'popular-k', 100, 1, 100_000);
    const keep = int(values, 'keep', 3, 1, 1000);
    const env: StoreEnv = { ...(process.env as StoreEnv), LLMREC_HOME: home };
    let cfg;
    try {
      cfg = parseStoreSpec(optStr(values, 'store'), env);
    } catch (e) {
      if (e instanceof StoreSpecError) throw new UsageError(e.message);
      throw e;
    }

    const t0 = Date.now();
    const bulkDir = optStr(values, 'cloudflare-bulk');
    const store = bulkDir ? createMemoryStore() : await openStore(undefined, { ...env, LLMREC_STORE: undefined, ...storeEnvFor(cfg) }, { timeoutMs: 60_000 });
    const target = bulkDir ? `cloudflare-bulk:${resolve(bulkDir)}` : describeStore(cfg);
    const bars = new Map<string, ReturnType<typeof progress>>();
    try {
      await store.ping();
      log('store', target);
      log('read', `${name} from ${dir}`);
      const userIds = readUsers(dir).map((u) => u.id);
      // Users erased through DELETE /v1/users/{id}: left out of every count and never re-seeded (docs/api.md, Erasure).
      const erased = await erasedUserIndices(store, userIds);
      if (erased.size) log('erasure', `${erased.size} erased user(s) left out of evidence counts, popular lists and histories`);
      const bundle = buildBundle(readDataset(dir), readItems(dir), userIds, popularK, erased);
      const artifactsDir = resolveArtifacts(home, name, optStr(values, 'artifacts'));
      if (artifactsDir) addArtifacts(bundle, artifactsDir);
      else log('artifacts', `no serving bundle for ${name} (train, or run llmrec serve once for the baseline): publishing the catalog without latents`);
      log('bundle', `${bundle.items.length} items, ${bundle.evidence.length} evidence entries, ${bundle.popular.map((p) => `${p.name}:${p.items.length}`).join(' ')} popular, ${bundle.histories.length} user histories`);
      const report = await publishBundle(store, bundle, {
        historyMode,
        historyMaxLen: historyLen,
        keep,
        onProgress: (phase, done, total) => {
          let bar = bars.get(phase);
          if (!bar) bars.set(phase, (bar = progress(phase, total, { unit: phase === 'content' ? 'keys' : 'users' })));
          bar.update(done);
        },
      });
      for (const b of bars.values()) b.done();
      if (bulkDir) writeCloudflareBulk(store as ReturnType<typeof createMemoryStore>, resolve(bulkDir), historyMode);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (flag(values, 'json')) console.log(JSON.stringify({ store: target, ...report, seconds: Number(secs) }));
      const what = report.alreadyLive ? 'already live (nothing to write)' : report.reusedContent ? `re-activated (content already in the store; was ${report.previous})` : `published ${report.keysWritten} keys, ${(report.bytesWritten / 1024).toFixed(0)} KiB (previous: ${report.previous ?? 'none'})`;
      log('publish', `${report.version} -> ${target}: ${what}`);
      if (report.removed.length) log('cleanup', `removed ${report.removed.length} old version(s) beyond the newest ${keep}: ${report.removed.join(', ')}`);
      if (report.live) log('live', `items written through the API since ${report.previous}: ${report.live.incorporated} incorporated in this version, ${report.live.pending} carried over (embedded by the worker), ${report.live.hidden} kept hidden`);
      log('histories', `${historyMode}: ${report.histories.seeded} seeded, ${report.histories.kept} kept, ${report.histories.replaced} replaced (${secs}s total)`);
      return 0;
    } finally {
      await store.close?.();
    }
  },
};

const BULK_MAX = 10_000;

/**
 * Cloudflare KV has no client outside Workers here: write `wrangler kv bulk put` files instead — content
 * (versioned keys, in files of <= 10,000 pairs) first, then the ONE pointer key, then (optional) histories
 * in the list encoding of CloudflareKvStore (a JSON array, newest first).
 */
function writeCloudflareBulk(mem: ReturnType<typeof createMemoryStore>, dir: string, historyMode: HistoryMode): void {
  mkdirSync(dir, { recursive: true });
  const snap = mem.snapshot();
  const pointerKey = kvKeys.published();
  const lists = new Map(snap.lists);
  const content = snap.values.filter(([k]) => k !== pointerKey).map(([key, value]) => ({ key, value }));
  content.push({ key: kvKeys.publishedVersions(), value: JSON.stringify(lists.get(kvKeys.publishedVersions()) ?? []) });
  const files: string[] = [];
  for (let i = 0; i < content.length; i += BULK_MAX) {
    const f = join(dir, `1-content-${String(i / BULK_MAX).padStart(3, '0')}.json`);
    writeFileSync(f, JSON.stringify(content.slice(i, i + BULK_MAX)));
    files.push(f);
  }
  const pointer = snap.values.find(([k]) => k === pointerKey);
  if (!pointer) throw new CliError('internal: no pointer was written');
  writeFileSync(join(dir, '2-pointer.json'), JSON.stringify([{ key: pointer[0], value: pointer[1] }]));
  const hist = snap.lists.filter(([k]) => k !== kvKeys.publishedVersions()).map(([key, l]) => ({ key, value: JSON.stringify(l) }));
  if (historyMode !== 'skip') writeFileSync(join(dir, '3-histories.json'), JSON.stringify(hist));
  const put = (f: string) => `npx wrangler kv bulk put --binding KV ${f}`;
  log('cloudflare', `${content.length} content pairs in ${files.length} file(s), pointer, ${historyMode === 'skip' ? 'no' : hist.length} histories. Upload in this order:`);
  for (const f of files) process.stderr.write(`  ${put(f)}\n`);
  process.stderr.write(`  ${put(join(dir, '2-pointer.json'))}   # the flip: only after the content is in\n`);
  if (historyMode !== 'skip') process.stderr.write(`  ${put(join(dir, '3-histories.json'))}   # first publish only: replaces live histories\n`);
}

function resolveArtifacts(home: string, dataset: string, given?: string): string | undefined {
  if (given) {
    const dir = resolve(given);
    if (!existsSync(join(dir, SERVING_BUNDLE_FILE))) throw new CliError(`--artifacts ${dir}: no ${SERVING_BUNDLE_FILE} there`);
    return dir;
  }
  for (const sub of ['serving', 'baseline-serving']) {
    const dir = join(home, 'artifacts', dataset, sub);
    if (existsSync(join(dir, SERVING_BUNDLE_FILE))) return dir;
  }
  return undefined;
}

/** Adds the PQ-coded joint item latents and the user-encoder reference of a serving bundle (hash-checked). */
export function addArtifacts(bundle: PublishBundle, dir: string): void {
  const manifestPath = join(dir, SERVING_BUNDLE_FILE);
  const parsed = ServingBundle.safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  if (!parsed.success) throw new CliError(`${manifestPath} is not a serving bundle v1: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const sb = parsed.data;
  if (sb.dataset !== bundle.dataset) throw new CliError(`${manifestPath} is for dataset ${sb.dataset}, not ${bundle.dataset}`);
  const file = (f: { path: string; sha256: string }) => {
    const path = isAbsolute(f.path) ? f.path : join(dirname(manifestPath), f.path);
    const buf = readFileSync(path);
    const sha = createHash('sha256').update(buf).digest('hex');
    if (sha !== f.sha256) throw new CliError(`hash mismatch for ${path}: manifest ${f.sha256.slice(0, 12)}..., file ${sha.slice(0, 12)}...`);
    return { path, buf };
  };
  const lat = file(sb.itemLatents);
  const { data, shape } = readNpyFloat32(lat.buf);
  if (shape[0] !== bundle.items.length || shape[1] !== sb.itemLatents.dim) throw new CliError(`item latents [${shape}] do not match ${bundle.items.length} items x dim ${sb.itemLatents.dim}`);
  const pq = sb.pq ? offlinePq(sb.pq, file, shape[0], sb.itemLatents.dim) : trainPq(data, sb.itemLatents.dim);
  const rec = decodeAll(pq);
  let err = 0;
  let norm = 0;
  for (let i = 0; i < data.length; i++) [err, norm] = [err + (data[i]! - rec[i]!) ** 2, norm + data[i]! ** 2];
  bundle.pq = pqToValues(pq, PQ_CODES_CHUNK);
  bundle.artifacts = { servingBundle: sb.version, source: sb.source, itemLatents: sb.itemLatents.sha256 };
  if (sb.userEncoder) {
    const enc = file(sb.userEncoder);
    bundle.userEncoder = { v: 1, name: `user-encoder:${sb.userEncoder.input}->${sb.userEncoder.output}:maxlen=${sb.userEncoder.maxlen}`, path: enc.path, sha256: sb.userEncoder.sha256, bytes: enc.buf.length };
    bundle.artifacts.userEncoder = sb.userEncoder.sha256;
  }
  log('artifacts', `${sb.source} bundle ${sb.version}: ${shape[0]} x ${shape[1]} latents -> ${sb.pq ? 'offline PQ of the bundle' : 'PQ quantized here'} m=${pq.m} k=${pq.k} (${pq.m} bytes/item, relative error ${(err / norm).toExponential(2)})${sb.userEncoder ? ', user encoder ref' : ''}`);
}

/** The bundle's offline PQ (codebooks .npy [m, k, dsub] + raw uint8 codes [items, m]), shape-checked. */
function offlinePq(spec: NonNullable<ServingBundle['pq']>, file: (f: { path: string; sha256: string }) => { path: string; buf: Buffer }, items: number, dim: number): PqIndex {
  const { m, k, dsub } = spec.codebooks;
  if (m * dsub !== dim) throw new CliError(`bundle PQ: ${m} sub-spaces x ${dsub} dims do not make the latent dim ${dim}`);
  const books = file(spec.codebooks);
  const { data: centroids, shape } = readNpyFloat32(books.buf);
  if (shape.length !== 3 || shape[0] !== m || shape[1] !== k || shape[2] !== dsub) throw new CliError(`${books.path}: shape [${shape}], bundle says [${m}, ${k}, ${dsub}]`);
  const codesFile = file(spec.codes);
  if (codesFile.buf.length !== items * m) throw new CliError(`${codesFile.path}: ${codesFile.buf.length} bytes, want ${items} items x ${m} codes`);
  const codes = new Uint8Array(codesFile.buf.buffer.slice(codesFile.buf.byteOffset, codesFile.buf.byteOffset + codesFile.buf.byteLength));
  for (const c of codes) if (c >= k) throw new CliError(`${codesFile.path}: code ${c} >= k = ${k}`);
  return createPqIndex(centroids, [m, k, dsub], codes, items);
}

/** The env a parsed config needs to be re-opened through openStore (keeps the token out of the spec). */
function storeEnvFor(cfg: ReturnType<typeof parseStoreSpec>): StoreEnv {
  switch (cfg.kind) {
    case 'upstash':
      return { LLMREC_STORE: 'upstash', UPSTASH_REDIS_REST_URL: cfg.url, UPSTASH_REDIS_REST_TOKEN: cfg.token };
    case 'vercel-kv':
      return { LLMREC_STORE: 'vercel-kv', KV_REST_API_URL: cfg.url, KV_REST_API_TOKEN: cfg.token };
    case 'sqlite':
      return { LLMREC_STORE: `sqlite:${cfg.path}` };
    default:
      return { LLMREC_STORE: cfg.kind };
  }
}

/**
 * Per item, the partners with >= minCoUsers distinct co-users (most first, ties by index), top `top`: the same
 * lists as shared/src/evidence CoInteractionIndex.list, computed in O(sum of squared user history lengths).
 */
export function coInteractionLists(userStart: Int32Array, item: Int32Array, nItems: number, minCoUsers: number, top: number, skipUsers: ReadonlySet<number> = new Set()): [number, number][][] {
  const nUsers = userStart.length - 1;
  const itemsOf: Int32Array[] = [];
  for (let u = 0; u < nUsers; u++) itemsOf.push(skipUsers.has(u) ? new Int32Array(0) : Int32Array.from(new Set(item.subarray(userStart[u], userStart[u + 1]))));
  const usersOf: number[][] = Array.from({ length: nItems }, () => []);
  itemsOf.forEach((its, u) => its.forEach((i) => usersOf[i]!.push(u)));
  const cnt = new Int32Array(nItems);
  const out: [number, number][][] = [];
  for (let i = 0; i < nItems; i++) {
    const touched: number[] = [];
    for (const u of usersOf[i]!) for (const j of itemsOf[u]!) if (j !== i && cnt[j]!++ === 0) touched.push(j);
    const pairs: [number, number][] = [];
    for (const j of touched) {
      if (cnt[j]! >= minCoUsers) pairs.push([j, cnt[j]!]);
      cnt[j] = 0;
    }
    out.push(pairs.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, top));
  }
  return out;
}

function topK(scores: Float64Array, k: number): number[] {
  return [...scores.keys()].filter((i) => scores[i]! > 0).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, k);
}

/** Dense indices of the dataset's users that were erased through the API (their digests are listed in the store). */
export async function erasedUserIndices(store: KvStore, userIds: readonly string[]): Promise<Set<number>> {
  const erased = await erasedDigests(store);
  const out = new Set<number>();
  if (erased.size === 0) return out;
  for (const [u, id] of userIds.entries()) if (erased.has(await userDigest(id))) out.add(u);
  return out;
}

/**
 * Serving bundle from a canonical dataset: catalog, popular lists, evidence dictionary, histories. Users in
 * `skipUsers` (erased) count nowhere: not in popularity, ratings, co-interactions, nor seeded histories.
 */
export function buildBundle(ds: Dataset, items: ItemRecord[], userIds: string[], popularK: number, skipUsers: ReadonlySet<number> = new Set()): PublishBundle {
  const { item, ts, rating, user } = ds.interactions;
  const n = item.length;
  const pop = countPopularity(item, rating, ds.nItems, (r) => !skipUsers.has(user[r]!));
  const { count, explicit } = pop;
  let maxTs = -Infinity;
  for (let r = 0; r < n; r++) if (ts[r]! > maxTs && !skipUsers.has(user[r]!)) maxTs = ts[r]!;
  const popular: PopularList[] = [];
  const all = topK(count, popularK);
  popular.push({ v: 1, name: 'all', items: all.map((i) => items[i]!.id), scores: all.map((i) => count[i]!) });
  if (ds.meta.hasTimestamps) {
    const recentCount = new Float64Array(ds.nItems);
    const since = maxTs - RECENT_DAYS * 86_400;
    for (let r = 0; r < n; r++) if (ts[r]! >= since && !skipUsers.has(user[r]!)) recentCount[item[r]!]!++;
    const recent = topK(recentCount, popularK);
    popular.push({ v: 1, name: 'recent', items: recent.map((i) => items[i]!.id), scores: recent.map((i) => recentCount[i]!) });
  }

  const co = coInteractionLists(ds.userStart, item, ds.nItems, DEFAULT_MIN_CO_USERS, CO_TOP, skipUsers);
  const evidence: PublishBundle["evidence"] = items.map((it) => {
    return { v: 1, itemId: it.id, evidence: itemSnippets(it.idx, it.text, pop), facts: itemFacts(it).attributes.filter((f) => f.value.trim().length > 0), co: co[it.idx], minCoUsers: DEFAULT_MIN_CO_USERS };
  });

  const histories: PublishBundle['histories'] = [];
  for (let u = 0; u < ds.nUsers; u++) {
    if (skipUsers.has(u)) continue;
    const entries: HistoryEntry[] = [];
    for (let r = ds.userStart[u]!; r < ds.userStart[u + 1]!; r++) {
      entries.push({ v: 1, item: items[item[r]!]!.id, ts: ds.meta.hasTimestamps ? ts[r]! * 1000 : ts[r]!, type: explicit ? 'rating' : 'interaction' });
    }
    histories.push({ userId: userIds[u] ?? String(u), entries });
  }

  return {
    dataset: ds.meta.name,
    items: items.map((it) => ({
      v: 1,
      id: it.id,
      idx: it.idx,
      title: it.title,
      genres: it.text.genres ?? [],
      year: it.text.year !== undefined ? Math.round(it.text.year) : undefined,
      attributes: it.text.attributes ?? [],
      hasImage: it.modalities.image !== null,
      hasAudio: it.modalities.audio !== null,
    })),
    popular,
    evidence,
    histories,
  };
}
