// Evidence and rationale values of the evidence-grounded explanations (method: explanation layer):
// what a rationale may cite (history items with their effect on the score and co-user counts, candidate
// attributes, content modalities), the rationale with the exact evidence it cites, and the faithfulness of
// that citation measured against the model (ERASER comprehensiveness / sufficiency). Versioned, zod-checked.
import { z } from 'zod';

/** Version of Evidence and Rationale values (2: effects on the score, method, content). */
export const EVIDENCE_VERSION = 2;
/** Version of the per-item co-interaction lists published to KV. */
export const CO_LIST_VERSION = 1;
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
  v: z.literal(CO_LIST_VERSION),
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
  /** Drop of the candidate's score when this item is removed from the history (leave-one-out); null without a model. */
  effect: z.number().nullable(),
});
export type NeighbourEvidence = z.infer<typeof NeighbourEvidence>;

export const AttributeEvidence = z.object({
  kind: AttributeKind,
  value: z.string(),
  /** Share of the user's history attention (softmax over joint-space similarity) on items with this value. */
  weight: z.number().min(0),
  /** How many of the user's history items carry the value. */
  historyItems: z.number().int().min(0),
  /** Drop of the candidate's score when the history items carrying the value are removed; null without a model. */
  effect: z.number().nullable(),
});
export type AttributeEvidence = z.infer<typeof AttributeEvidence>;

/** Effect of one content modality of the candidate on its score, through the content tower (zeroed and marked absent). */
export const ContentEvidence = z.object({ modality: z.string(), effect: z.number() });
export type ContentEvidence = z.infer<typeof ContentEvidence>;

/**
 * How the evidence was chosen: 'attribution' = by measured effect on the model's score (leave-one-out through
 * the user encoder); 'co-interaction' = the baseline, by latent similarity among co-interacted items.
 */
export const EvidenceMethod = z.enum(['attribution', 'co-interaction']);
export type EvidenceMethod = z.infer<typeof EvidenceMethod>;

export const Evidence = z.object({
  v: z.literal(EVIDENCE_VERSION),
  method: EvidenceMethod,
  item: z.object({ idx: z.number().int().min(0), id: z.string(), title: z.string() }),
  /** The candidate's score with the full history (null without a model). */
  score: z.number().nullable(),
  neighbours: z.array(NeighbourEvidence),
  attributes: z.array(AttributeEvidence),
  content: z.array(ContentEvidence).default([]),
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

/** What removing (comprehensiveness) or keeping only (sufficiency) a set of history items does to the item. */
export const RemovalEffect = z.object({
  /** Score with the full history minus the score after the change (higher = the set mattered more). */
  scoreDrop: z.number(),
  /** 1-based rank among all unseen items after the change (the full-history rank is Faithfulness.rank). */
  rank: z.number().int().min(1),
  /** The same for random history subsets of equal size (means over `samples` draws). */
  randomScoreDrop: z.number(),
  randomRank: z.number(),
});
export type RemovalEffect = z.infer<typeof RemovalEffect>;

/**
 * ERASER-style faithfulness of the cited history items, measured by re-scoring with the model:
 * comprehensiveness = the cited items removed; sufficiency = only the cited items kept; each next to random
 * evidence of the same size from the same history window.
 */
export const Faithfulness = z.object({
  /** Cited history items (0: nothing to remove; every drop is then 0). */
  size: z.number().int().min(0),
  score: z.number(),
  rank: z.number().int().min(1),
  comprehensiveness: RemovalEffect,
  sufficiency: RemovalEffect,
  samples: z.number().int().min(0),
});
export type Faithfulness = z.infer<typeof Faithfulness>;
