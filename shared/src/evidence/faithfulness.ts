// Faithfulness of a rationale to its evidence: it cites only evidence (items above the co-user threshold,
// attributes present), names no other title, and a cited piece disappears when it is removed from the
// evidence (counterfactual removal). Used in tests, in the ML-100K audit and at serving time.
import { attributePhrase, renderRationale, type SlotChooser } from './rationale.ts';
import type { Evidence, Rationale } from './schema.ts';

export interface FaithfulnessReport {
  ok: boolean;
  problems: string[];
}

/**
 * Checks `r` against `ev`. `otherTitles` are titles the sentence must not name unless cited (e.g. the
 * user's whole history and the other candidates).
 */
export function checkRationale(r: Rationale, ev: Evidence, otherTitles: readonly string[] = []): FaithfulnessReport {
  const problems: string[] = [];
  const byIdx = new Map(ev.neighbours.map((n) => [n.idx, n]));
  const citedTitles = new Set<string>();
  for (const idx of r.cited.neighbours) {
    const n = byIdx.get(idx);
    if (!n) problems.push(`cites item ${idx}, which is not in the evidence`);
    else {
      citedTitles.add(n.title);
      if (n.coUsers < ev.minCoUsers) problems.push(`cites item ${idx} with ${n.coUsers} co-users (< ${ev.minCoUsers})`);
      if (!r.text.includes(`"${n.title}"`)) problems.push(`cited item "${n.title}" is not named in the text`);
    }
  }
  for (const a of r.cited.attributes) {
    if (!ev.attributes.some((e) => e.kind === a.kind && e.value === a.value)) problems.push(`cites ${a.kind} ${a.value}, which is not in the evidence`);
    if (!r.text.includes(attributePhrase(a))) problems.push(`cited ${a.kind} ${a.value} is not in the text`);
  }
  for (const m of r.text.matchAll(/"([^"]+)"/g)) {
    if (!citedTitles.has(m[1]!)) problems.push(`names "${m[1]}" without citing it`);
  }
  for (const t of otherTitles) {
    if (t && !citedTitles.has(t) && t !== ev.item.title && r.text.includes(t)) problems.push(`names "${t}", which is not cited evidence`);
  }
  for (const n of ev.neighbours) if (n.coUsers < ev.minCoUsers) problems.push(`evidence item ${n.idx} is below the co-user threshold`);
  return { ok: problems.length === 0, problems };
}

/** Counterfactual check: removing each cited piece from the evidence removes it from the re-rendered sentence. */
export async function removalCheck(r: Rationale, ev: Evidence, choose?: SlotChooser): Promise<FaithfulnessReport> {
  const problems: string[] = [];
  for (const idx of r.cited.neighbours) {
    const title = ev.neighbours.find((n) => n.idx === idx)?.title ?? '';
    const again = await renderRationale({ ...ev, neighbours: ev.neighbours.filter((n) => n.idx !== idx) }, choose);
    if (again.cited.neighbours.includes(idx) || again.text.includes(`"${title}"`)) problems.push(`"${title}" still named after removing it from the evidence`);
  }
  for (const a of r.cited.attributes) {
    const again = await renderRationale({ ...ev, attributes: ev.attributes.filter((e) => !(e.kind === a.kind && e.value === a.value)) }, choose);
    if (again.text.includes(attributePhrase(a))) problems.push(`${a.kind} ${a.value} still named after removing it from the evidence`);
  }
  return { ok: problems.length === 0, problems };
}
