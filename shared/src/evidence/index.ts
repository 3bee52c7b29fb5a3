// Public surface of the evidence layer (evidence-grounded explanations): schemas, co-interaction counts,
// evidence builder, rationale template, faithfulness checks. Runtime-neutral (edge and worker).
export * from './schema.ts';
export { CoInteractionIndex } from './co-interaction.ts';
export { itemFacts, plotKeywords, type ItemTextLike } from './item-facts.ts';
export { buildEvidence, cosine, type EvidenceSource, type EvidenceOptions } from './build-evidence.ts';
export { renderRationale, attributePhrase, type SlotChooser } from './rationale.ts';
export { checkRationale, removalCheck, type FaithfulnessReport } from './faithfulness.ts';
export { explainItems, memoryExplainSource, coUsersFromLists, Explanation, UnknownItemError, type ExplainSource, type ExplainRequest } from './explain.ts';
