// Constrained decoding for rationales (evidence-grounded explanations): the LLM writes the sentence, but every
// byte it emits is either "free" (lower-case letters, spaces, light punctuation: connective words, which cannot
// spell a title or a name) or part of an evidence span (a quoted neighbour title, an attribute value), each span
// at most once. Quotes, capitals and digits therefore only ever appear inside evidence. The grammar:
//   gap SPAN (gap SPAN)* gap '.'   with gap = at most `maxGap` free tokens, 1..maxSpans spans; a span starts
// the sentence or follows a space, and is followed by a space or punctuation (never glued to a word).
// Works on bytes (multi-byte characters split across tokens stay exact) over any token source, so a test can
// hand it an adversarial generator.

const FREE = new Uint8Array(256);
for (const c of 'abcdefghijklmnopqrstuvwxyz ,.;\'-') FREE[c.charCodeAt(0)] = 1;
/** Bytes that may follow a closed span (a word boundary: a span is never glued to a word). */
const AFTER_SPAN = new Uint8Array(256);
for (const c of ' ,.;') AFTER_SPAN[c.charCodeAt(0)] = 1;
const DOT = '.'.charCodeAt(0);
const SPACE = ' '.charCodeAt(0);

export interface SpanConstraintOptions {
  /** Free tokens allowed between spans (default 8). */
  maxGap?: number;
  /** Spans per sentence (default 3). */
  maxSpans?: number;
}

interface State {
  /** null = between spans; else the spans still consistent with the bytes since the span began. */
  open: number[] | null;
  pos: number;
  used: ReadonlySet<number>;
  gap: number;
  spans: number;
  done: boolean;
  /** Last byte emitted (-1 at the start). */
  last: number;
}

/** The decoder state machine over evidence spans; immutable states so candidate tokens are tried without undo. */
export class SpanConstraint {
  readonly spans: Uint8Array[];
  private readonly maxGap: number;
  private readonly maxSpans: number;

  constructor(spans: readonly string[], o: SpanConstraintOptions = {}) {
    const enc = new TextEncoder();
    this.spans = [...new Set(spans)].filter((s) => s.length > 0).map((s) => enc.encode(s));
    this.maxGap = o.maxGap ?? 8;
    this.maxSpans = o.maxSpans ?? 3;
  }

  start(): State {
    return { open: null, pos: 0, used: new Set(), gap: 0, spans: 0, done: false, last: -1 };
  }

  /** The state after `bytes` (one token), or null when the token is not allowed here. */
  step(s: State, bytes: Uint8Array): State | null {
    if (s.done || bytes.length === 0) return null;
    let { open, pos, used, spans, gap, last } = s;
    let done = false;
    let touchedSpan = false;
    let freeAfterSpan = false;
    for (const b of bytes) {
      if (done) return null;
      if (open) {
        const next = open.filter((k) => this.spans[k]![pos] === b);
        if (next.length) {
          open = next;
          pos++;
          touchedSpan = true;
          last = b;
          continue;
        }
        // The byte does not continue a span: it may follow one that is complete.
        const complete = open.find((k) => this.spans[k]!.length === pos);
        if (complete === undefined || !AFTER_SPAN[b]) return null;
        used = new Set([...used, complete]);
        spans++;
        open = null;
        pos = 0;
        touchedSpan = true;
      }
      if (FREE[b]) {
        if (b === DOT) {
          if (spans === 0) return null;
          done = true;
        }
        if (touchedSpan) freeAfterSpan = true;
        last = b;
        continue;
      }
      // A byte that is not free opens a span (a quote, a capital, a digit): only an unused evidence span may follow.
      if (spans >= this.maxSpans || (last !== -1 && last !== SPACE)) return null;
      const start = this.spans.map((_, k) => k).filter((k) => !used.has(k) && this.spans[k]![0] === b);
      if (!start.length) return null;
      open = start;
      pos = 1;
      touchedSpan = true;
      freeAfterSpan = false;
      last = b;
    }
    // gap = tokens with free text since the last span byte; past maxGap the next token must open a span or stop.
    gap = touchedSpan ? (freeAfterSpan ? 1 : 0) : gap + 1;
    if (gap > this.maxGap) return null;
    return { open, pos, used, gap, spans, done, last };
  }

  /** Whether the sentence may stop here (at least one span closed, none open). */
  canStop(s: State): boolean {
    return s.done || (s.spans > 0 && s.open === null) || (s.open !== null && s.spans + 1 <= this.maxSpans && s.open.some((k) => this.spans[k]!.length === s.pos));
  }

  finished(s: State): boolean {
    return s.done;
  }

  /** The bytes that close an open span (the shortest consistent one), so a sentence cut at its budget ends whole. */
  closeOpen(s: State): Uint8Array {
    if (!s.open) return new Uint8Array(0);
    const k = s.open.reduce((a, b) => (this.spans[b]!.length < this.spans[a]!.length ? b : a));
    return this.spans[k]!.subarray(s.pos);
  }
}

export type SpanState = State;

/** Next-token logits after the tokens pushed so far (the LLM, or a test's generator). */
export interface TokenSource {
  logits(): Promise<Float32Array>;
  push(id: number): Promise<void>;
}

export interface ConstrainedResult {
  ids: number[];
  text: string;
  /** Whether the grammar ended the sentence (else it was cut at maxTokens and closed with '.'). */
  complete: boolean;
}

/**
 * Greedy decoding under the constraint: at each step the highest-scoring allowed token. `tokenBytes[id]` =
 * what the token prints mid-sentence; `banned` ids (BOS/EOS/specials) are never emitted. null when no allowed
 * token exists or the sentence names no span within `maxTokens`.
 */
export async function constrainedDecode(src: TokenSource, tokenBytes: readonly Uint8Array[], c: SpanConstraint, o: { maxTokens?: number; banned?: ReadonlySet<number> } = {}): Promise<ConstrainedResult | null> {
  const maxTokens = o.maxTokens ?? 48;
  let s = c.start();
  const ids: number[] = [];
  const out: number[] = [];
  for (let t = 0; t < maxTokens && !c.finished(s); t++) {
    const logits = await src.logits();
    let picked = -1;
    let next: State | null = null;
    // The best allowed token is nearly always among the top few: try the top 64 before sorting the vocabulary.
    for (const order of [topK(logits, 64), topK(logits, logits.length)]) {
      for (const id of order) {
        if (o.banned?.has(id) || !tokenBytes[id]) continue;
        next = c.step(s, tokenBytes[id]);
        if (next) {
          picked = id;
          break;
        }
      }
      if (next) break;
    }
    if (picked < 0 || !next) break;
    ids.push(picked);
    out.push(...tokenBytes[picked]!);
    s = next;
    if (!c.finished(s)) await src.push(picked);
  }
  // Out of budget inside a span: the grammar allows only its remaining bytes, so they are written out.
  if (!c.finished(s) && s.open) {
    const rest = c.closeOpen(s);
    const closed = c.step(s, Uint8Array.from([...rest, DOT]));
    if (closed) {
      out.push(...rest, DOT);
      s = closed;
    }
  }
  if (!c.canStop(s)) return null;
  let text = new TextDecoder().decode(Uint8Array.from(out)).trim();
  const complete = c.finished(s);
  if (!complete) text = `${text.replace(/[ ,;'-]+$/, '')}.`;
  return { ids, text: text.charAt(0).toUpperCase() + text.slice(1), complete };
}

/** Indices of the k largest values, largest first. */
function topK(v: Float32Array, k: number): number[] {
  if (k >= v.length) return Array.from(v.keys()).sort((a, b) => v[b]! - v[a]!);
  const top: number[] = [];
  for (let i = 0; i < v.length; i++) {
    if (top.length === k && v[i]! <= v[top[k - 1]!]!) continue;
    let j = top.length < k ? top.length : k - 1;
    if (top.length < k) top.push(i);
    while (j > 0 && v[top[j - 1]!]! < v[i]!) {
      top[j] = top[j - 1]!;
      j--;
    }
    top[j] = i;
  }
  return top;
}
