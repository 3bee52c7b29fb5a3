// Builds the evidence for one (user, candidate) pair. With measured effects (attribution.ts) the evidence is
// what moved the score: history items whose removal lowers it most, attribute values whose carriers lower it
// most, content modalities. Without them, the co-interaction baseline: history items most similar to the
// candidate in the joint latent space, attributes weighted by history attention (softmax of similarity).
// Either way a history item is cited only with >= minCoUsers co-users (privacy: k-anonymous pairs, no user ids).
import { attributeKey, DEFAULT_WINDOW, historyWindow } from './attribution.ts';
import { DEFAULT_MIN_CO_USERS, EVIDENCE_VERSION, type AttributeEvidence, type ContentEvidence, type Evidence, type ItemFacts, type NeighbourEvidence } from './schema.ts';

export interface EvidenceSource {
  facts(idx: number): ItemFacts;
  /** Joint latent of an item (any dimension; cosine similarity is used). */
  latent(idx: number): ArrayLike<number>;
  /** Distinct users who interacted with both items. */
  coUsers(a: number, b: number): number;
}

export interface EvidenceOptions {
  /** Neighbours to keep (default 3). */
  k?: number;
  /** Co-user threshold for citing a neighbour (default 5). */
  minCoUsers?: number;
  /** Attributes to keep (default 4). */
  maxAttributes?: number;
  /** History window, newest last (default 50). */
  recent?: number;
  /** Softmax temperature of the history attention (default 0.1). */
  temperature?: number;
}

/** Measured effects on one candidate's score (attributeHistory), or absent for the co-interaction baseline. */
export interface EvidenceEffects {
  score: number;
  /** History item -> drop of the candidate's score when it is removed. */
  history: ReadonlyMap<number, number>;
  /** attributeKey -> drop when the history items carrying that value are removed. */
  groups: ReadonlyMap<string, number>;
  content?: readonly ContentEvidence[];
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export function buildEvidence(src: EvidenceSource, candidate: number, history: readonly number[], opts: EvidenceOptions = {}, effects?: EvidenceEffects): Evidence {
  const k = opts.k ?? 3;
  const minCoUsers = opts.minCoUsers ?? DEFAULT_MIN_CO_USERS;
  const recent = historyWindow(history, opts.recent ?? DEFAULT_WINDOW).filter((i) => i !== candidate);
  const cand = src.facts(candidate);
  const cl = src.latent(candidate);
  const sims = recent.map((i) => cosine(cl, src.latent(i)));
  const eff = (j: number) => effects?.history.get(recent[j]!) ?? 0;

  const neighbours: NeighbourEvidence[] = [];
  // Attribution: largest positive effect first (an item whose removal does not lower the score is no evidence).
  const order = effects
    ? recent.map((_, j) => j).filter((j) => eff(j) > 0).sort((a, b) => eff(b) - eff(a) || recent[a]! - recent[b]!)
    : recent.map((_, j) => j).sort((a, b) => sims[b]! - sims[a]! || src.coUsers(recent[b]!, candidate) - src.coUsers(recent[a]!, candidate) || recent[a]! - recent[b]!);
  for (const j of order) {
    if (neighbours.length >= k) break;
    const idx = recent[j]!;
    const coUsers = src.coUsers(idx, candidate);
    if (coUsers < minCoUsers) continue;
    const f = src.facts(idx);
    // Catalogues repeat titles under different ids (18 in ML-100K): cite a title once, so a sentence naming it
    // rests on exactly one evidence entry (and removing that entry removes the name).
    if (f.title === cand.title || neighbours.some((n) => n.title === f.title)) continue;
    neighbours.push({ idx, id: f.id, title: f.title, similarity: sims[j]!, coUsers, effect: effects ? eff(j) : null });
  }

  // History attention over the recent window, then the candidate's attribute values weighted by it.
  const tau = opts.temperature ?? 0.1;
  const max = Math.max(...sims, -Infinity);
  const att = sims.map((s) => Math.exp((s - max) / tau));
  const z = att.reduce((a, b) => a + b, 0) || 1;
  const weight = new Map<string, { w: number; n: number }>();
  recent.forEach((idx, j) => {
    for (const a of src.facts(idx).attributes) {
      const key = attributeKey(a);
      const cur = weight.get(key) ?? { w: 0, n: 0 };
      cur.w += att[j]! / z;
      cur.n += 1;
      weight.set(key, cur);
    }
  });
  const seen = new Set<string>();
  const attributes: AttributeEvidence[] = cand.attributes
    .filter((a) => {
      const key = attributeKey(a);
      if (seen.has(key) || !weight.has(key)) return false;
      seen.add(key);
      return !effects || (effects.groups.get(key) ?? 0) > 0;
    })
    .map((a) => {
      const s = weight.get(attributeKey(a))!;
      return { kind: a.kind, value: a.value, weight: s.w, historyItems: s.n, effect: effects ? (effects.groups.get(attributeKey(a)) ?? 0) : null };
    })
    .sort((a, b) => (b.effect ?? 0) - (a.effect ?? 0) || b.weight - a.weight || b.historyItems - a.historyItems)
    .slice(0, opts.maxAttributes ?? 4);

  return {
    v: EVIDENCE_VERSION,
    method: effects ? 'attribution' : 'co-interaction',
    item: { idx: cand.idx, id: cand.id, title: cand.title },
    score: effects?.score ?? null,
    neighbours,
    attributes,
    content: [...(effects?.content ?? [])],
    minCoUsers,
  };
}
