// The ranking metrics of the evaluation protocol (Hit@K, NDCG@K, Recall@K; pessimistic ties, a NaN target score
// ranks last). The one TypeScript implementation lives in shared/ (runtime-neutral) because the online adapters'
// guardrail (shared/src/adapter) ranks with it too; re-exported here, where the evaluation imports it from.
export * from '@llmrec/shared/metrics/ranking.ts';
