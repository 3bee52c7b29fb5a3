// Collects what a raw-format loader parses (users, items, interactions in file order) and turns it into the
// canonical in-memory form: dense 0-based indices, rows sorted by user, then time, then file order (stable).
import type { ItemRecord, Skipped, UserRecord } from './schema.ts';

export interface Interactions {
  user: Int32Array;
  item: Int32Array;
  /** Unix seconds, or the position in the user's sequence when the source has no timestamps. */
  ts: Float64Array;
  rating: Float32Array;
}

export interface BuiltDataset {
  name: string;
  users: UserRecord[];
  items: ItemRecord[];
  interactions: Interactions;
  hasTimestamps: boolean;
  skipped: Skipped[];
  notes: string[];
  /** Raw files read, absolute paths (hashed into dataset.json). */
  sourceFiles: string[];
}

export class DatasetBuilder {
  readonly users: UserRecord[] = [];
  readonly items: ItemRecord[] = [];
  private readonly userIdx = new Map<string, number>();
  private readonly itemIdx = new Map<string, number>();
  private u: number[] = [];
  private i: number[] = [];
  private t: number[] = [];
  private r: number[] = [];
  readonly notes: string[] = [];

  constructor(readonly name: string) {}

  /** Add a user (or return the index of an existing one with the same raw id). */
  user(id: string, attrs: UserRecord['attrs'] = {}): number {
    const have = this.userIdx.get(id);
    if (have !== undefined) return have;
    const idx = this.users.length;
    this.users.push({ idx, id, attrs });
    this.userIdx.set(id, idx);
    return idx;
  }

  /** Add an item (or return the index of an existing one with the same raw id). */
  item(id: string, rec: Omit<ItemRecord, 'idx' | 'id'> = { title: '', text: {}, modalities: { image: null, audio: null } }): number {
    const have = this.itemIdx.get(id);
    if (have !== undefined) return have;
    const idx = this.items.length;
    this.items.push({ idx, id, ...rec });
    this.itemIdx.set(id, idx);
    return idx;
  }

  findUser(id: string): number | undefined {
    return this.userIdx.get(id);
  }

  findItem(id: string): number | undefined {
    return this.itemIdx.get(id);
  }

  interaction(user: number, item: number, ts: number, rating = 1): void {
    this.u.push(user);
    this.i.push(item);
    this.t.push(ts);
    this.r.push(rating);
  }

  get interactionCount(): number {
    return this.u.length;
  }

  /** Sort rows (user, ts, file order) and freeze into typed arrays. */
  build(opts: { hasTimestamps: boolean; skipped: Skipped[]; sourceFiles: string[] }): BuiltDataset {
    const n = this.u.length;
    const order = new Int32Array(n);
    for (let k = 0; k < n; k++) order[k] = k;
    const { u, t } = this;
    order.sort((a, b) => u[a]! - u[b]! || t[a]! - t[b]! || a - b);
    const interactions: Interactions = {
      user: new Int32Array(n),
      item: new Int32Array(n),
      ts: new Float64Array(n),
      rating: new Float32Array(n),
    };
    for (let k = 0; k < n; k++) {
      const o = order[k]!;
      interactions.user[k] = u[o]!;
      interactions.item[k] = this.i[o]!;
      interactions.ts[k] = t[o]!;
      interactions.rating[k] = this.r[o]!;
    }
    this.u = this.i = this.t = this.r = [];
    return { name: this.name, users: this.users, items: this.items, interactions, notes: this.notes, ...opts };
  }
}

/** Row offsets per user: rows of user u are [start[u], start[u+1]) (rows are sorted by user). */
export function userOffsets(user: Int32Array, users: number): Int32Array {
  const start = new Int32Array(users + 1);
  for (let k = 0; k < user.length; k++) start[user[k]! + 1]!++;
  for (let u = 0; u < users; u++) start[u + 1]! += start[u]!;
  return start;
}
