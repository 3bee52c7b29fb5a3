// The LLM prompt for writing a rationale (evidence-grounded explanations), with soft-token slots like the
// ranking prompt: a shared prefix per user (system line, <USR> soft user token, <HIST> recent titles with soft
// item tokens) and a suffix per explained item (<EVID> the evidence spans with soft evidence tokens for cited
// history items, <ITEM> the item with its soft token, "Why:"). The prefix's KV cache is shared by all items.
import type { Evidence } from '../evidence/schema.ts';
import { SEGMENT_MARKERS, type PromptItem } from '../prompt/segments.ts';
import type { PromptPiece } from './soft-prompt.ts';

export const RATIONALE_SYSTEM_LINE = 'You explain recommendations in one sentence, citing only the evidence.';

/** The strings a rationale may name: quoted neighbour titles and attribute values (what constrained decoding allows). */
export function evidenceSpans(ev: Evidence): string[] {
  return [...ev.neighbours.map((n) => `"${n.title}"`), ...ev.attributes.map((a) => a.value)];
}

export function rationalePrefix(history: readonly PromptItem[], o: { userToken: boolean; maxHistory?: number }): PromptPiece[] {
  const pieces: PromptPiece[] = [{ text: `${RATIONALE_SYSTEM_LINE}\n${SEGMENT_MARKERS.user}` }];
  if (o.userToken) pieces.push({ soft: 'user', idx: 0 });
  pieces.push({ text: `\n${SEGMENT_MARKERS.history}` });
  for (const h of history.slice(-(o.maxHistory ?? 5))) pieces.push({ text: ` ${h.title}` }, { soft: 'item', idx: h.idx }, { text: ';' });
  return pieces;
}

export function rationaleSuffix(ev: Evidence): PromptPiece[] {
  const pieces: PromptPiece[] = [{ text: `\n${SEGMENT_MARKERS.evidence}` }];
  for (const n of ev.neighbours) pieces.push({ text: ` "${n.title}"` }, { soft: 'evidence', idx: n.idx }, { text: ';' });
  for (const a of ev.attributes) pieces.push({ text: ` ${a.kind} ${a.value};` });
  pieces.push({ text: `\n<ITEM> ${ev.item.title}` }, { soft: 'item', idx: ev.item.idx }, { text: '\nWhy:' });
  return pieces;
}
