// Evidence and rationale values of the evidence-grounded explanations (method: explanation layer):
// what a rationale may cite (collaborative neighbours with co-user counts, candidate attributes weighted
// by history attention) and the rationale itself with the exact evidence it cites. Versioned, zod-checked.
import { z } from 'zod';

export const EVIDENCE_VERSION = 1;
/** A neighbour is cited only when at least this many distinct users interacted with both items. */
export const DEFAULT_MIN_CO_USERS = 5;

export const AttributeKind = z.enum(['genre', 'director', 'cast', 'writer', 'keyword', 'attribute']);
export type AttributeKind = z.infer<typeof AttributeKind>;

/** What the evidence builder knows about an item (from the canonical items.jsonl / KV item metadata). */
export const ItemFacts = z.object({
  idx: z.number().int().min(0),
  id: z.string(),
  title: z.string(),
  attributes: z.array(z.object({ kind: AttributeKind, value: z.string().min(1) })),
});
export type ItemFacts = z.infer<typeof ItemFacts>;

/** Items most co-interacted with one item, with distinct-user counts (publishable per item). */
export const CoInteractionList = z.object({
  v: z.literal(EVIDENCE_VERSION),
  itemIdx: z.number().int().min(0),
  /** [otherIdx, distinctUsers], only pairs at or above the publishing threshold, most co-users first. */
  co: z.array(z.tuple([z.number().int().min(0), z.number().int().min(1)])),
});
export type CoInteractionList = z.infer<typeof CoInteractionList>;

export const NeighbourEvidence = z.object({
  idx: z.number().int().min(0),
  id: z.string(),
  title: z.string(),
  /** Cosine similarity to the candidate in the joint latent space. */
  similarity: z.number(),
  /** Distinct users who interacted with both this history item and the candidate (never who). */
  coUsers: z.number().int().min(0),
});
export type NeighbourEvidence = z.infer<typeof NeighbourEvidence>;

export const AttributeEvidence = z.object({
  kind: AttributeKind,
  value: z.string(),
  /** Share of the user's history attention (softmax over joint-space similarity) on items with this value. */
  weight: z.number().min(0),
  /** How many of the user's history items carry the value. */
  historyItems: z.number().int().min(0),
});
export type AttributeEvidence = z.infer<typeof AttributeEvidence>;

export const Evidence = z.object({
  v: z.literal(EVIDENCE_VERSION),
  item: z.object({ idx: z.number().int().min(0), id: z.string(), title: z.string() }),
  neighbours: z.array(NeighbourEvidence),
  attributes: z.array(AttributeEvidence),
  minCoUsers: z.number().int().min(1),
});
export type Evidence = z.infer<typeof Evidence>;

export const Rationale = z.object({
  v: z.literal(EVIDENCE_VERSION),
  text: z.string(),
  /** Exactly what the sentence cites: neighbour item indices and attribute values, all taken from the evidence. */
  cited: z.object({
    neighbours: z.array(z.number().int().min(0)),
    attributes: z.array(z.object({ kind: AttributeKind, value: z.string() })),
  }),
  /** 'template' when slots were chosen by the template alone, 'llm' when a language model chose within them. */
  source: z.enum(['template', 'llm']),
});
export type Rationale = z.infer<typeof Rationale>;
