/**
 * @lorakit/eval — judge an adapter against the base model and a full fine-tune: metrics as data, test files,
 * greedy runs with per-item records, statistics with intervals (Wilson, t, McNemar, paired bootstrap),
 * merged ≡ adapter checks and regression checks.
 */
// --- metrics, runs and statistics (E1) ---
export { METRICS, getMetric } from './metrics.js';
export type {
  MetricName,
  MetricSpec,
  MetricOptions,
  GenerationMetricSpec,
  LikelihoodMetricSpec,
  LikelihoodScorer,
} from './metrics.js';
export { normalizeText, wordTokens } from './text-normalization.js';
export type { NormalizationOptions } from './text-normalization.js';
export { rougeL, longestCommonSubsequence } from './rouge-l.js';
export { jsonFieldF1, jsonFieldPairs, parseJsonOutput } from './json-field-f1.js';
export type { EvalItem } from './eval-item.js';
export { readTestFile, parseTestFile } from './test-file.js';
export type { ReadTestFileOptions } from './test-file.js';
export { renderPrompt, sha256 } from './rendered-prompt.js';
export type { RenderedPrompt } from './rendered-prompt.js';
export { continuationLogLikelihood, logSoftmaxAt } from './continuation-likelihood.js';
export { evaluateModel } from './run-evaluation.js';
export type { EvaluateOptions, EvaluationRun } from './run-evaluation.js';
export type { EvalRecord } from './eval-record.js';
export { readRecords, writeRecords, parseRecords } from './records-file.js';
export {
  erfc,
  normalCdf,
  studentTCdf,
  studentTQuantile,
  regularizedIncompleteBeta,
  Z_95,
} from './distributions.js';
export { meanWithInterval, wilsonInterval } from './mean-interval.js';
export type { MeanInterval } from './mean-interval.js';
export { mcnemarTest } from './mcnemar.js';
export type { McNemarResult } from './mcnemar.js';
export { pairedBootstrap, bootstrapMeanRatio, percentile } from './paired-bootstrap.js';
export type { BootstrapOptions, PairedDifference, MeanRatio } from './paired-bootstrap.js';
export { pairRecords } from './pair-records.js';
export type { PairedScores } from './pair-records.js';
export { compareRuns } from './compare-runs.js';
export type { RunComparison, CompareRunsOptions } from './compare-runs.js';
export { qualityRelativeToFull } from './quality-relative.js';
export { regressionCheck } from './regression-check.js';
export type { RegressionTask, RegressionResult } from './regression-check.js';
export { mergedCheck, MERGE_TOLERANCES } from './merged-check.js';
export type { MergedCheckOptions, MergedCheckResult } from './merged-check.js';
// --- end metrics, runs and statistics (E1) ---
// Reports: the validation checklist as markdown and a self-contained HTML page with SVG charts.
export { renderReport } from './report.js';
export type { RenderedReport } from './report.js';
export { renderMarkdown } from './report-markdown.js';
export { renderHtml } from './report-html.js';
export { buildChecklist, CHECKLIST_LABELS } from './report-checklist.js';
export type { ChecklistItem, ChecklistItemId, ChecklistStatus } from './report-checklist.js';
export { parseMetricsJsonl } from './report-metrics-jsonl.js';
export type { MetricsRecord, ParsedMetrics } from './report-metrics-jsonl.js';
export type {
  AdapterLoadingResult,
  FullRunResult,
  Interval95,
  LoraRunResult,
  LossCurves,
  ReportMergedCheck,
  QualityThreshold,
  ReportRegression,
  ReportData,
  ReportRecommendation,
  ScoreWithInterval,
  SplitSizes,
  TaskResult,
  TrainingLossPoint,
  ValidationLossPoint,
} from './report-data.js';
// The checklist as one runnable report: score, check and render in one call.
export { runChecklist } from './run-checklist.js';
export type {
  ChecklistOtherTask,
  ChecklistRun,
  ChecklistTask,
  RunChecklistOptions,
} from './run-checklist.js';
