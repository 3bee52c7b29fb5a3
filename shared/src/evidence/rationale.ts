// The template rationale: one sentence naming the strongest evidence (the first one or two history items and
// attribute values, in evidence order). Used when no LLM is configured, when the LLM's sentence fails the
// check, or when the worker is unavailable. The LLM writes its own sentence under constrained decoding instead
// (gpu-worker/src/llm/explain/).
import { EVIDENCE_VERSION, type AttributeEvidence, type Evidence, type NeighbourEvidence, type Rationale } from './schema.ts';

export function attributePhrase(a: Pick<AttributeEvidence, 'kind' | 'value'>): string {
  switch (a.kind) {
    case 'genre':
      return `the genre ${a.value}`;
    case 'director':
      return `director ${a.value}`;
    case 'writer':
      return `writer ${a.value}`;
    case 'cast':
      return `actor ${a.value}`;
    case 'keyword':
      return `the theme ${a.value}`;
    default:
      return `the attribute ${a.value}`;
  }
}

const quote = (t: string) => `"${t}"`;

function neighbourText(ns: NeighbourEvidence[]): { names: string; counts: string } {
  if (ns.length === 1) return { names: quote(ns[0]!.title), counts: `${ns[0]!.coUsers} viewers watched both` };
  return { names: `${quote(ns[0]!.title)} and ${quote(ns[1]!.title)}`, counts: `${ns[0]!.coUsers} and ${ns[1]!.coUsers} viewers, respectively, also watched this` };
}

const PHRASINGS: ((n: { names: string; counts: string } | null, a: string | null) => string)[] = [
  (n, a) => (n && a ? `Recommended because you watched ${n.names} (${n.counts}) and it matches your interest in ${a}.` : n ? `Recommended because you watched ${n.names} (${n.counts}).` : `Recommended because it matches your interest in ${a}.`),
  (n, a) => (n && a ? `Viewers who watched ${n.names} also watched this (${n.counts}), and it features ${a}, which you often choose.` : n ? `Viewers who watched ${n.names} also watched this (${n.counts}).` : `It features ${a}, which you often choose.`),
  (n, a) => (n && a ? `Like ${n.names}, which you watched (${n.counts}), it fits your taste for ${a}.` : n ? `Like ${n.names}, which you watched (${n.counts}), it fits your taste.` : `It fits your taste for ${a}.`),
];

const NO_EVIDENCE = 'Recommended from your overall viewing pattern; no single film or attribute stands out as evidence.';

/** The template sentence over the first two neighbours and attributes of the evidence. */
export function renderRationale(ev: Evidence, phrasing = 0): Rationale {
  const ns = ev.neighbours.slice(0, 2);
  const as = ev.attributes.slice(0, 2);
  const n = ns.length ? neighbourText(ns) : null;
  const a = as.length ? as.map(attributePhrase).join(' and ') : null;
  const text = n || a ? PHRASINGS[phrasing % PHRASINGS.length]!(n, a) : NO_EVIDENCE;
  return {
    v: EVIDENCE_VERSION,
    text,
    cited: { neighbours: ns.map((x) => x.idx), attributes: as.map((x) => ({ kind: x.kind, value: x.value })) },
    source: 'template',
  };
}
