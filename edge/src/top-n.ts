// Bounded top-n selection for edge retrieval (request path, step 3): the best `n` of up to ~100,000 ADC scores,
// best first, ties broken by the lower index, seen and hidden items skipped. Items are offered in increasing
// index order, so a new item that only ties the weakest kept score always loses: the caller's one comparison
// `s >= floor` settles almost every item, and the ADC kernels in pq-latents.ts offer while they score (no
// full-catalog score buffer is written and read back). Flat typed arrays and no closures: this runs once per
// request over the whole catalog, where V8 keeps loop state in registers only for plain locals.

export class TopN {
  private size = 0;
  private readonly idx: Int32Array;
  private readonly score: Float64Array;
  private readonly checkExcluded: boolean;

  /** `n` > 0; `exclude` (seen) and `hidden` (deleted) items are never kept. */
  constructor(
    private readonly n: number,
    private readonly exclude: ReadonlySet<number>,
    private readonly hidden: Uint8Array | null,
  ) {
    this.idx = new Int32Array(n);
    this.score = new Float64Array(n);
    this.checkExcluded = exclude.size > 0;
  }

  /**
   * Offers item `i` (greater than every index offered before) with score `s`; returns the floor a later item
   * must reach (>=) to be worth offering: -Infinity until n items are kept, then the weakest kept score.
   * NaN scores never pass `s >= floor`, so they are never offered.
   */
  offer(i: number, s: number): number {
    const { idx, score, n } = this;
    if ((this.hidden !== null && this.hidden[i] === 1) || (this.checkExcluded && this.exclude.has(i))) return this.floor();
    if (this.size < n) {
      // Sift up: the heap's top is the weakest (lowest score, then highest index).
      let j = this.size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!(s < score[p]! || (s === score[p] && i > idx[p]!))) break;
        idx[j] = idx[p]!;
        score[j] = score[p]!;
        j = p;
      }
      idx[j] = i;
      score[j] = s;
      return this.floor();
    }
    // A tie with the weakest loses: i is the highest index so far.
    if (s > score[0]!) this.replaceTop(i, s, n);
    return score[0]!;
  }

  /** Kept indices, best first (empties the heap). */
  result(): number[] {
    const out = new Array<number>(this.size);
    for (let k = this.size - 1; k >= 0; k--) {
      out[k] = this.idx[0]!;
      this.replaceTop(this.idx[k]!, this.score[k]!, k);
    }
    this.size = 0;
    return out;
  }

  private floor(): number {
    return this.size < this.n ? -Infinity : this.score[0]!;
  }

  /** Puts (i, s) at the top of the heap's first `size` slots and sifts it down. */
  private replaceTop(i: number, s: number, size: number): void {
    const { idx, score } = this;
    let j = 0;
    for (;;) {
      const l = 2 * j + 1;
      if (l >= size) break;
      let c = l;
      const r = l + 1;
      if (r < size && (score[r]! < score[l]! || (score[r] === score[l] && idx[r]! > idx[l]!))) c = r;
      if (!(score[c]! < s || (score[c] === s && idx[c]! > i))) break;
      idx[j] = idx[c]!;
      score[j] = score[c]!;
      j = c;
    }
    idx[j] = i;
    score[j] = s;
  }
}

/** Indices of the `n` highest scores, best first (ties: lower index), skipping excluded, hidden and NaN items. */
export function topN(scores: Float64Array, n: number, exclude: ReadonlySet<number>, hidden: Uint8Array | null): number[] {
  if (n <= 0) return [];
  const top = new TopN(n, exclude, hidden);
  let floor = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s >= floor) floor = top.offer(i, s);
  }
  return top.result();
}
