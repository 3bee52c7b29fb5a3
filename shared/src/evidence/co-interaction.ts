// Co-interaction counts (distinct users who interacted with both items): the collaborative half of the
// evidence. Built once from training histories; published per item as a CoInteractionList.
import { CO_LIST_VERSION, type CoInteractionList } from './schema.ts';

export class CoInteractionIndex {
  /** Sorted distinct user indices per item. */
  private readonly usersOf: Int32Array[];

  /** `histories[u]` = item indices user u interacted with (any order, duplicates allowed). */
  constructor(histories: readonly (readonly number[])[], readonly nItems: number) {
    const lists: number[][] = Array.from({ length: nItems }, () => []);
    histories.forEach((items, u) => {
      for (const i of new Set(items)) {
        if (i < 0 || i >= nItems) throw new RangeError(`item index ${i} outside 0..${nItems - 1}`);
        lists[i]!.push(u);
      }
    });
    this.usersOf = lists.map((l) => Int32Array.from(l).sort());
  }

  /** Distinct users who interacted with both a and b. */
  count(a: number, b: number): number {
    const x = this.usersOf[a];
    const y = this.usersOf[b];
    if (!x || !y) return 0;
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < x.length && j < y.length) {
      if (x[i]! === y[j]!) {
        n++;
        i++;
        j++;
      } else if (x[i]! < y[j]!) i++;
      else j++;
    }
    return n;
  }

  users(item: number): number {
    return this.usersOf[item]?.length ?? 0;
  }

  /** The publishable list of one item: partners with at least `minCoUsers` co-users, most first, at most `top`. */
  list(item: number, minCoUsers: number, top = 200): CoInteractionList {
    const counts = new Map<number, number>();
    const mine = this.usersOf[item] ?? new Int32Array(0);
    const mineSet = new Set(mine);
    for (let j = 0; j < this.nItems; j++) {
      if (j === item) continue;
      let n = 0;
      for (const u of this.usersOf[j]!) if (mineSet.has(u)) n++;
      if (n >= minCoUsers) counts.set(j, n);
    }
    const co = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, top) as [number, number][];
    return { v: CO_LIST_VERSION, itemIdx: item, co };
  }
}
