// Public surface of the evidence layer (evidence-grounded explanations): schemas, co-interaction counts,
// attribution by effect on the score, evidence builder, template rationale, faithfulness (checks against the
// evidence and ERASER measures against the model), the model-backed explainer and the edge's explain service.
// Runtime-neutral (edge and worker).
export * from './schema.ts';
export { CoInteractionIndex } from './co-interaction.ts';
export { itemFacts, plotKeywords, type ItemTextLike } from './item-facts.ts';
export { attributeHistory, attributeGroups, attributeKey, historyWindow, DEFAULT_WINDOW, type HistoryScorer, type VariantScores, type Attribution } from './attribution.ts';
export { buildEvidence, cosine, type EvidenceSource, type EvidenceOptions, type EvidenceEffects } from './build-evidence.ts';
export { renderRationale, attributePhrase } from './rationale.ts';
export { checkRationale, measureFaithfulness, type FaithfulnessReport, type FaithfulnessOptions, type FaithfulnessCase } from './faithfulness.ts';
export { explainWithModel, type RationaleWriter, type ContentAttribution, type ModelExplainInput, type ModelExplainOptions, type ModelExplanation } from './explain-with-model.ts';
export { explainItems, memoryExplainSource, coUsersFromLists, Explanation, UnknownItemError, type ExplainSource, type ExplainRequest, type ExplainOptions } from './explain.ts';
export { WorkerExplainRequest, WorkerExplainResponse, WorkerExplanation, EXPLAIN_WIRE_VERSION } from './wire.ts';
