// Public surface of evaluation: metrics, statistics, the model contract and registry, runners and reports.
export * from './metrics/ranking.ts';
export * from './stats.ts';
export * from './rng.ts';
export type * from './models/types.ts';
export { MODELS, loadModel } from './models/registry.ts';
export { buildCases, runModel, tieKeyFor, type EvalCases, type EvalOptions, type ModelRun, type Protocol, type ResultRow } from './runner.ts';
export { runStreaming, streamWindows, type StreamingRun, type WindowPoint } from './streaming.ts';
export { evaluateDataset, type EvaluateOptions } from './evaluate.ts';
export { buildReport, EVAL_JSON_VERSION, EvalComparison, evalComparison, EvalJson, EvalReport, EvalRow, evalRow, findRow, formatMarkdown, formatTable, rankingEvalJson, SeedRole, TIE_RULE, TIE_RULES } from './report.ts';
export { streamingEvalJson } from './report/streaming-json.ts';
