/**
 * The report's tables as plain text cells, built once so that the markdown and the HTML pages show the
 * same numbers; each renderer escapes the cells for its own format.
 */
import type { ReportData, ReportRecommendation, TaskResult } from './report-data.js';
import { reportFormat as format } from './report-format.js';

export interface ReportTable {
  header: string[];
  rows: string[][];
  /** Indices of the columns holding text (left-aligned); the others hold numbers. */
  textColumns: number[];
}

/** One row per run: baseline, LoRA ranks (ascending), full fine-tune. */
export function runsTable(task: TaskResult): ReportTable {
  const header = [
    'Run',
    'Score (95% CI)',
    'Validation',
    'Test',
    'Quality vs full (95% CI)',
    'Cost vs full',
    'Train time',
    'Size',
    'Projected cost',
  ];
  const rows: string[][] = [];
  if (task.baseline) {
    rows.push([
      'Baseline',
      `${format.score(task.baseline.score)} ${format.interval(task.baseline.ci95)}`,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ]);
  }
  for (const run of [...task.runs].sort((a, b) => a.rank - b.rank)) {
    const relative = run.qualityRelativeToFull;
    rows.push([
      `${run.method === 'qlora' ? 'QLoRA' : 'LoRA'} r=${run.rank}`,
      `${format.score(run.score)} ${format.interval(run.ci95)}`,
      format.score(run.validationScore),
      format.score(run.testScore),
      relative ? `${format.percent(relative.value)} ${format.percentInterval(relative.ci95)}` : 'n/a',
      format.percent(run.costRelativeToFull),
      format.duration(run.trainSeconds),
      format.bytes(run.adapterBytes),
      format.usd(run.projectedCostUsd),
    ]);
  }
  if (task.full) {
    const full = task.full;
    rows.push([
      'Full fine-tune',
      `${format.score(full.score)} ${format.interval(full.ci95)}`,
      format.score(full.validationScore),
      format.score(full.testScore),
      '100%',
      '100%',
      format.duration(full.trainSeconds),
      format.bytes(full.checkpointBytes),
      format.usd(full.projectedCostUsd),
    ]);
  }
  return { header, rows, textColumns: [0] };
}

/** Before/after scores of the other tasks. */
export function regressionTable(data: ReportData): ReportTable {
  return {
    header: ['Task', 'Metric', 'Before (95% CI)', 'After (95% CI)', 'Difference (95% CI)', 'p', 'Verdict'],
    textColumns: [0, 1, 6],
    rows: (data.regressions ?? []).map((entry) => [
      entry.task,
      entry.metric,
      `${format.score(entry.before.score)} ${format.interval(entry.before.ci95)}`,
      `${format.score(entry.after.score)} ${format.interval(entry.after.ci95)}`,
      format.interval(entry.differenceCi95),
      entry.pValue === undefined ? 'n/a' : format.score(entry.pValue),
      entry.flagged ? 'DROP' : 'ok',
    ]),
  };
}

/** "LoRA r=16" / "LoRA r=32–64" / "Full fine-tune". */
export function recommendationHeadline(recommendation: ReportRecommendation): string {
  if (recommendation.method === 'full') return 'Full fine-tune';
  if (recommendation.rankRange) return `LoRA r=${recommendation.rankRange[0]}–${recommendation.rankRange[1]}`;
  return recommendation.rank === undefined ? 'LoRA' : `LoRA r=${recommendation.rank}`;
}

export function recommendationBasis(recommendation: ReportRecommendation): string {
  return recommendation.basis === 'measured'
    ? 'measured: decided by this study’s eval results'
    : 'prior: from the decision guide, not a measurement of this task';
}

/** Summary lines of the loss curves: steps, last training loss, best validation loss. */
export function lossSummary(data: ReportData): string[] {
  const curves = data.lossCurves;
  if (!curves) return [];
  const training = curves.training.filter((point) => Number.isFinite(point.loss));
  const validation = curves.validation.filter((point) => Number.isFinite(point.validation_loss));
  const lines = [`Run: ${curves.run}`];
  const last = training[training.length - 1];
  if (last)
    lines.push(
      `Training loss: ${format.score(training[0]!.loss)} at step ${training[0]!.step} → ${format.score(last.loss)} at step ${last.step}`,
    );
  else lines.push('Training loss: no data');
  const best = validation.reduce<(typeof validation)[number] | undefined>(
    (min, point) => (!min || point.validation_loss < min.validation_loss ? point : min),
    undefined,
  );
  if (best)
    lines.push(
      `Best validation loss: ${format.score(best.validation_loss)} at step ${best.step} (${validation.length} evaluations)`,
    );
  else lines.push('Validation loss: no data');
  return lines;
}
