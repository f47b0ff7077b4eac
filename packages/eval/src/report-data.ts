/**
 * Everything the validation checklist report shows, as plain data. The report is a pure function of this
 * object (renderReport), so a study can save it as JSON and re-render it later, and tests can build it by hand.
 * Scores are in the metric's own units (a fraction for exact_match, nats or perplexity for perplexity); an
 * interval is always the 95% interval [low, high] computed by the statistics module.
 */

/** A 95% interval [low, high]. */
export type Interval95 = readonly [number, number];

/** A score with its 95% interval. */
export interface ScoreWithInterval {
  score: number;
  ci95: Interval95;
  /** Items scored (shown next to the score when present). */
  items?: number;
}

/** The quality bar, and whether it was written down before any run (the checklist's first item). */
export interface QualityThreshold {
  /** The score the adapter must reach on the task's metric. */
  value: number;
  /** True when the bar was fixed before the first run; a bar chosen after seeing results fails the item. */
  statedBeforeRun: boolean;
  /** Where or how it was stated (e.g. "study.json, 2024-05-01"). */
  note?: string;
}

/** Item counts of the three disjoint splits. */
export interface SplitSizes {
  train: number;
  validation: number;
  test: number;
}

/** One LoRA training run at one rank. */
export interface LoraRunResult {
  /** 'qlora' when the base was quantized. */
  method: 'lora' | 'qlora';
  rank: number;
  /** Headline score on the evaluation set that ci95 describes (the test split). */
  score: number;
  ci95: Interval95;
  /** Score on the validation split (absent: not evaluated there). */
  validationScore?: number;
  /** Score on the test split (absent: not evaluated there). */
  testScore?: number;
  trainSeconds?: number;
  /** Size of the saved adapter folder's weights. */
  adapterBytes?: number;
  /** Projected training cost in US dollars (from @lorakit/cost). */
  projectedCostUsd?: number;
  /** score / full fine-tune score, with its interval (paired bootstrap); absent without a full run. */
  qualityRelativeToFull?: { value: number; ci95: Interval95 };
  /** Training cost / full fine-tune's training cost. */
  costRelativeToFull?: number;
}

/** The full fine-tune run, when one was made. */
export interface FullRunResult {
  score: number;
  ci95: Interval95;
  validationScore?: number;
  testScore?: number;
  trainSeconds?: number;
  /** Size of the full checkpoint's weights. */
  checkpointBytes?: number;
  projectedCostUsd?: number;
}

/** One task of the study: what was asked, and every run on it. */
export interface TaskResult {
  /** Task name as the user wrote it (free text: it is escaped when rendered). */
  task: string;
  /** Metric name (exact_match, rouge_l, …). */
  metric: string;
  /** False when lower scores are better (perplexity); default true. */
  higherIsBetter?: boolean;
  threshold?: QualityThreshold;
  splits?: SplitSizes;
  /** The base model without adapter. */
  baseline?: ScoreWithInterval;
  /** LoRA runs, one per rank (any order; the report sorts by rank). */
  runs: readonly LoraRunResult[];
  full?: FullRunResult;
}

/** merged ≡ adapter: logits of the merged model against base + adapter on sample inputs. */
export interface ReportMergedCheck {
  maxAbsDiff: number;
  /** Absolute tolerance used (1e-4 in f32). */
  atol: number;
  /** Relative tolerance used (1e-4 in f32). */
  rtol: number;
  pass: boolean;
  /** Number of sample inputs compared. */
  samples?: number;
  /** Dtype of the base the merge was done in (f32, f16, bf16). */
  dtype?: string;
}

/** Another task scored before and after applying the adapter. */
export interface ReportRegression {
  task: string;
  metric: string;
  before: ScoreWithInterval;
  after: ScoreWithInterval;
  /** True when the drop is larger than its interval (decided by the statistics module). */
  flagged: boolean;
  /** Interval of after − before, when a paired comparison was made. */
  differenceCi95?: Interval95;
  pValue?: number;
}

/** Whether the saved adapter was loaded back and used, and how. */
export interface AdapterLoadingResult {
  tested: boolean;
  /** What was tested, e.g. "PEFT 0.13 loads adapter/ and gives the same logits (max diff 2e-7)". */
  what: string;
  /** False when the test ran and failed; default true when tested. */
  pass?: boolean;
}

/** A point of the training loss curve, as the trainer's metrics.jsonl has it. */
export interface TrainingLossPoint {
  step: number;
  loss: number;
}

/** A point of the validation loss curve (steps where validation ran). */
export interface ValidationLossPoint {
  step: number;
  validation_loss: number;
}

/** Loss curves of one training run. */
export interface LossCurves {
  /** Which run the curves belong to, e.g. "LoRA r=16". */
  run: string;
  training: readonly TrainingLossPoint[];
  validation: readonly ValidationLossPoint[];
}

/** The advice, shaped like @lorakit/cost's Recommendation. */
export interface ReportRecommendation {
  method: 'full' | 'lora';
  rank?: number;
  rankRange?: readonly [number, number];
  /** 'measured' when eval results decided; 'prior' when the decision guide did. */
  basis: 'measured' | 'prior';
  why: string;
}

/** The whole report. */
export interface ReportData {
  /** Page title; default "Validation checklist". */
  title?: string;
  /** Model the adapters were trained on (shown in the header). */
  model?: string;
  /** When the study ran (ISO 8601, shown as given). */
  generatedAt?: string;
  tasks: readonly TaskResult[];
  mergedCheck?: ReportMergedCheck;
  /** Other tasks checked for regressions (empty or absent: not run). */
  regressions?: readonly ReportRegression[];
  adapterLoading?: AdapterLoadingResult;
  lossCurves?: LossCurves;
  recommendation?: ReportRecommendation;
}
