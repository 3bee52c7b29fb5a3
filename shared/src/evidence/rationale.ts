// The one-sentence rationale: a structured template whose slots (which neighbours, which attributes,
// which phrasing) are filled only from the evidence. A language model may choose within the slots
// (SlotChooser); it never writes free text, so the sentence can only name what the evidence holds.
import { EVIDENCE_VERSION, type AttributeEvidence, type Evidence, type NeighbourEvidence, type Rationale } from './schema.ts';

/** Picks one of `choices` for a slot (index); the LLM ranks the options by likelihood when configured. */
export type SlotChooser = (slot: 'neighbours' | 'attributes' | 'phrasing', choices: string[]) => Promise<number> | number;

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

/** Options a chooser may pick from: subsets of the evidence, best-evidenced first (index 0 = template default). */
function neighbourOptions(ev: Evidence): NeighbourEvidence[][] {
  const ns = ev.neighbours;
  const opts: NeighbourEvidence[][] = [];
  if (ns.length >= 2) opts.push([ns[0]!, ns[1]!]);
  for (const n of ns) opts.push([n]);
  return opts;
}

function attributeOptions(ev: Evidence): AttributeEvidence[][] {
  const as = ev.attributes;
  const opts: AttributeEvidence[][] = [];
  if (as.length >= 2) opts.push([as[0]!, as[1]!]);
  for (const a of as) opts.push([a]);
  return opts;
}

function pick<T>(options: T[], i: number): T | undefined {
  return options[Number.isInteger(i) && i >= 0 && i < options.length ? i : 0];
}

/** Renders the rationale from the evidence; `choose` (an LLM) may pick among evidence-only options. */
export async function renderRationale(ev: Evidence, choose?: SlotChooser): Promise<Rationale> {
  const nOpts = neighbourOptions(ev);
  const aOpts = attributeOptions(ev);
  const ask = async (slot: Parameters<SlotChooser>[0], labels: string[]) => (choose && labels.length > 1 ? await choose(slot, labels) : 0);
  const ns = pick(nOpts, await ask('neighbours', nOpts.map((o) => o.map((n) => n.title).join(' and ')))) ?? [];
  const as = pick(aOpts, await ask('attributes', aOpts.map((o) => o.map(attributePhrase).join(' and ')))) ?? [];
  const n = ns.length ? neighbourText(ns) : null;
  const a = as.length ? as.map(attributePhrase).join(' and ') : null;
  let text = NO_EVIDENCE;
  if (n || a) {
    const variants = PHRASINGS.map((p) => p(n, a));
    text = pick(variants, await ask('phrasing', variants))!;
  }
  return {
    v: EVIDENCE_VERSION,
    text,
    cited: { neighbours: ns.map((x) => x.idx), attributes: as.map((x) => ({ kind: x.kind, value: x.value })) },
    source: choose ? 'llm' : 'template',
  };
}
