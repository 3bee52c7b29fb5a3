// Erasure of a user (issue 11, DELETE /v1/users/{id}): the user's recent history, cached ranking, events in
// the durable log (pending or not yet trimmed, with their idempotency ids) and the adapter job's per-user state
// (histories, replay and held-out examples, per-user statistics, seen event ids in the job checkpoint; per-user
// statistics in every published adapter statistics snapshot) are removed from the store. The user's digest
// (never the id) goes on the erased-users list first: the adapter job drops listed users before each checkpoint
// and checks the list again after writing it, `llmrec publish` leaves them out of evidence counts, popular lists
// and history seeding, and `llmrec export` out of the exported dataset. Runtime-neutral (edge on Workers/Node).
import { z } from 'zod';
import { getChunked, putChunked, type ChunkOptions } from '../kv/chunked.ts';
import { KEY_PREFIX, keys } from '../kv/keys.ts';
import type { KvStore } from '../kv/store.ts';
import { getTyped } from '../kv/typed.ts';
import { AdapterPointer, ErasedUserDigest } from '../kv/values.ts';
import { eventDigest, userDigest } from './item-content.ts';

/** Consumer groups whose job checkpoints hold per-user state (the shipped job uses one: adapter-job). */
export const DEFAULT_JOB_GROUPS = ['adapter-job'] as const;
/** The erased-users list keeps this many digests (one per erasure; far more than any deployment erases). */
const ERASED_MAX = 10_000_000;

export interface EraseReport {
  history: boolean;
  cachedRecs: boolean;
  events: number;
  adapterState: number;
}

export interface EraseOptions {
  /** Adapter-job consumer groups (default: adapter-job). */
  groups?: readonly string[];
  chunks?: ChunkOptions;
}

/** The job checkpoint's parts that name users (the rest is left exactly as it was). */
const CheckpointUsers = z.looseObject({
  learner: z.looseObject({
    histories: z.array(z.tuple([z.string(), z.unknown()])),
    replay: z.array(z.looseObject({ user: z.string() })),
    held: z.array(z.looseObject({ user: z.string() })),
    stats: z.looseObject({ users: z.array(z.tuple([z.string()]).rest(z.unknown())), seen: z.array(z.tuple([z.string(), z.number()])).optional() }),
  }),
});
const StatsUsers = z.looseObject({ users: z.array(z.tuple([z.string()]).rest(z.unknown())), seen: z.array(z.tuple([z.string(), z.number()])).optional() });

/** Removes the users `drop` says yes to (and the event ids in `eventIds`) from a job checkpoint JSON; null when nothing changed. */
export function scrubCheckpoint(raw: string, drop: (user: string) => boolean, eventIds: ReadonlySet<string> = new Set()): string | null {
  const parsed = CheckpointUsers.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new Error(`adapter job checkpoint does not have the expected shape: ${parsed.error.issues[0]?.message}`);
  const ck = parsed.data;
  const l = ck.learner;
  const before = l.histories.length + l.replay.length + l.held.length + l.stats.users.length + (l.stats.seen?.length ?? 0);
  l.histories = l.histories.filter(([u]) => !drop(u));
  l.replay = l.replay.filter((e) => !drop(e.user));
  l.held = l.held.filter((e) => !drop(e.user));
  l.stats.users = l.stats.users.filter(([u]) => !drop(u));
  if (l.stats.seen) l.stats.seen = l.stats.seen.filter(([id]) => !eventIds.has(id));
  const after = l.histories.length + l.replay.length + l.held.length + l.stats.users.length + (l.stats.seen?.length ?? 0);
  return after === before ? null : JSON.stringify(ck);
}

/** Removes users from a published adapter statistics snapshot JSON; null when nothing changed. */
export function scrubStats(raw: string, drop: (user: string) => boolean, eventIds: ReadonlySet<string> = new Set()): string | null {
  const parsed = StatsUsers.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new Error(`adapter statistics snapshot does not have the expected shape: ${parsed.error.issues[0]?.message}`);
  const st = parsed.data;
  const before = st.users.length + (st.seen?.length ?? 0);
  st.users = st.users.filter(([u]) => !drop(u));
  if (st.seen) st.seen = st.seen.filter(([id]) => !eventIds.has(id));
  return st.users.length + (st.seen?.length ?? 0) === before ? null : JSON.stringify(st);
}

/** Digests of every erased user. */
export async function erasedDigests(store: KvStore): Promise<Set<string>> {
  const raws = await store.listRange(keys.erasedUsers(), 0, -1);
  return new Set(raws.filter((d) => ErasedUserDigest.safeParse(d).success));
}

/** Digests of the event ids of erased users' events. */
export async function erasedEventDigests(store: KvStore): Promise<Set<string>> {
  const raws = await store.listRange(keys.erasedEvents(), 0, -1);
  return new Set(raws.filter((d) => ErasedUserDigest.safeParse(d).success));
}

const statsKey = (version: number) => `${KEY_PREFIX}adapter:${version}:stats`;

export async function eraseUser(store: KvStore, userId: string, opts: EraseOptions = {}): Promise<EraseReport> {
  const digest = await userDigest(userId);
  // 1. The tombstone first: a job writing a checkpoint from now on drops the user (it re-checks after writing).
  await store.listPush(keys.erasedUsers(), [digest], ERASED_MAX);
  const drop = (u: string) => u === userId;
  const report: EraseReport = { history: false, cachedRecs: false, events: 0, adapterState: 0 };
  // 2. Live per-user values.
  report.history = (await store.listRange(keys.history(userId), 0, 0)).length > 0;
  await store.del(keys.history(userId));
  report.cachedRecs = (await store.get(keys.cachedRecs(userId))) !== null;
  await store.del(keys.cachedRecs(userId));
  // 3. Events (pending deliveries included) and their idempotency ids.
  const forgotten = store.events?.forgetUser ? await store.events.forgetUser(userId) : { removed: 0, eventIds: [] };
  report.events = forgotten.removed;
  const eventIds = new Set(forgotten.eventIds);
  if (eventIds.size) await store.listPush(keys.erasedEvents(), await Promise.all([...eventIds].map(eventDigest)), ERASED_MAX);
  // 4. The adapter job's checkpoints and every published statistics snapshot.
  for (const group of opts.groups ?? DEFAULT_JOB_GROUPS) {
    const key = keys.adapterJobCheckpoint(group);
    const raw = await getChunked(store, key);
    const next = raw === null ? null : scrubCheckpoint(raw, drop, eventIds);
    if (next !== null) {
      await putChunked(store, key, next, opts.chunks);
      report.adapterState++;
    }
  }
  const ptr = await getTyped(store, AdapterPointer, keys.adapterCurrent());
  for (let v = ptr?.version ?? 0; v >= 1; v--) {
    const raw = await getChunked(store, statsKey(v));
    const next = raw === null ? null : scrubStats(raw, drop, eventIds);
    if (next !== null) {
      await putChunked(store, statsKey(v), next, opts.chunks);
      report.adapterState++;
    }
  }
  return report;
}
