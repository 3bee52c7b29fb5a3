// The LLM prompt in the paper's layout, with soft-token slots: system line; <USR> + soft user token;
// <HIST> recent titles each followed by its soft item token; <EVID> evidence (soft evidence tokens for
// cited items); <CANDS> candidate titles each with its soft token; task line. Built at the edge from the
// prompt segments (shared/src/prompt/), embedded in the worker (text -> token ids, soft -> projectors).
import { z } from 'zod';
import { SEGMENT_MARKERS, type PromptSegments } from '../prompt/segments.ts';

export const SOFT_PROMPT_VERSION = 1;

export const SoftKind = z.enum(['user', 'item', 'evidence']);
export type SoftKind = z.infer<typeof SoftKind>;

export const PromptPiece = z.union([
  z.object({ text: z.string() }),
  /** A soft token: the projector of `kind` applied to the joint latent of `idx` (user index for 'user'). */
  z.object({ soft: SoftKind, idx: z.number().int().min(0) }),
]);
export type PromptPiece = z.infer<typeof PromptPiece>;

export const SoftPrompt = z.object({
  v: z.literal(SOFT_PROMPT_VERSION),
  pieces: z.array(PromptPiece),
  /** Text each candidate's title is scored after (its continuation), e.g. ' ' + title. */
  candidates: z.array(z.object({ idx: z.number().int().min(0), title: z.string() })),
});
export type SoftPrompt = z.infer<typeof SoftPrompt>;

export const SYSTEM_LINE = 'You are a recommender. Rank the candidate items for this user.';
export const TASK_LINE = 'The item the user will choose next is:';

export interface SoftPromptOptions {
  /** Dense user index for the soft user token (omit for anonymous sessions: no user token). */
  userIdx?: number;
  /** Items cited as evidence get a soft evidence token after their text (itemIdx of the entry). */
  maxHistory?: number;
  /** List candidates in the prompt (default true); the ranking scores each title as a continuation either way. */
  listCandidates?: boolean;
  /** Write candidate titles in <CANDS> (default true); false keeps only their soft tokens (short contexts). */
  candidateTitles?: boolean;
}

/** Lays out the segments with soft-token slots (no tokenization here: the worker owns the tokenizer). */
export function buildSoftPrompt(seg: PromptSegments, opts: SoftPromptOptions = {}): SoftPrompt {
  const pieces: PromptPiece[] = [{ text: SYSTEM_LINE }];
  pieces.push({ text: `\n${SEGMENT_MARKERS.user}` });
  if (opts.userIdx !== undefined) pieces.push({ soft: 'user', idx: opts.userIdx });
  const hist = seg.history.slice(-(opts.maxHistory ?? 20));
  pieces.push({ text: `\n${SEGMENT_MARKERS.history}` });
  for (const h of hist) pieces.push({ text: ` ${h.title}` }, { soft: 'item', idx: h.idx }, { text: ';' });
  pieces.push({ text: `\n${SEGMENT_MARKERS.evidence}` });
  for (const e of seg.evidence) {
    pieces.push({ text: ` ${e.text}` });
    if (e.itemIdx !== undefined) pieces.push({ soft: 'evidence', idx: e.itemIdx });
    pieces.push({ text: ';' });
  }
  const cands = seg.candidates ?? [];
  if (opts.listCandidates ?? true) {
    pieces.push({ text: `\n${SEGMENT_MARKERS.candidates}` });
    for (const c of cands) {
      if (opts.candidateTitles ?? true) pieces.push({ text: ` ${c.title}` }, { soft: 'item', idx: c.idx }, { text: ';' });
      else pieces.push({ soft: 'item', idx: c.idx });
    }
  }
  pieces.push({ text: `\n${TASK_LINE}` });
  return { v: SOFT_PROMPT_VERSION, pieces: mergeText(pieces), candidates: cands.map((c) => ({ idx: c.idx, title: c.title })) };
}

/** Adjacent text pieces joined, so the tokenizer sees whole strings. */
function mergeText(pieces: PromptPiece[]): PromptPiece[] {
  const out: PromptPiece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if ('text' in p && last && 'text' in last) out[out.length - 1] = { text: last.text + p.text };
    else out.push(p);
  }
  return out;
}
