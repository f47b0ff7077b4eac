/**
 * The parts of the checklist run that turn measured runs into report data: intervals of regressions, quality
 * relative to full, and @lorakit/cost's recommendation. Kept apart from run-checklist.ts, which loads and runs
 * models.
 */
import { recommend } from '@lorakit/cost';
import type { MeasuredResult, QualityRequirement } from '@lorakit/cost';
import type { BootstrapOptions } from './paired-bootstrap.js';
import { qualityRelativeToFull } from './quality-relative.js';
import { regressionCheck } from './regression-check.js';
import type { LoraRunResult, ReportData, ReportRegression, ScoreWithInterval } from './report-data.js';
import type { EvaluationRun } from './run-evaluation.js';

export function runSummary(run: EvaluationRun): ScoreWithInterval {
  return { score: run.mean, ci95: run.ci95, items: run.n };
}

/** Other tasks scored before and after the adapter → the report's regression rows. */
export function checklistRegressions(
  pairs: readonly { task: string; before: EvaluationRun; after: EvaluationRun }[],
  bootstrap: BootstrapOptions,
): ReportRegression[] {
  const results = regressionCheck(
    pairs.map((pair) => ({
      task: pair.task,
      before: pair.before.records,
      after: pair.after.records,
      higherIsBetter: pair.before.higherIsBetter,
    })),
    bootstrap,
  );
  return results.map((result, index) => {
    const pair = pairs[index] as (typeof pairs)[number];
    return {
      task: result.task,
      metric: pair.before.metric,
      before: runSummary(pair.before),
      after: runSummary(pair.after),
      flagged: result.regressed,
      differenceCi95: result.comparison.ci95,
      pValue: result.comparison.p_value,
    };
  });
}

/** Quality relative to full with its interval; absent without a full run, or when the ratio's denominator is 0. */
export function relativeToFull(
  candidate: EvaluationRun,
  full: EvaluationRun | undefined,
  higherIsBetter: boolean,
  bootstrap: BootstrapOptions,
  log: (line: string) => void,
): Pick<LoraRunResult, 'qualityRelativeToFull'> {
  if (!full) return {};
  const denominator = higherIsBetter ? full.mean : candidate.mean;
  if (denominator === 0) {
    log('quality relative to full not computed: its denominator scores 0 on average');
    return {};
  }
  const { ratio, ci95 } = qualityRelativeToFull(candidate.records, full.records, {
    ...bootstrap,
    higherIsBetter,
  });
  return { qualityRelativeToFull: { value: ratio, ci95 } };
}

/**
 * cost's recommend on the measured test scores. The requirement defaults to the threshold as a fraction of the
 * full fine-tune's score (clamped to (0, 1]), or 0.9 without one; none for lower-is-better metrics, which
 * recommend cannot rank.
 */
export function checklistRecommendation(input: {
  threshold: number;
  higherIsBetter: boolean;
  run: LoraRunResult;
  full?: EvaluationRun;
  requirement?: QualityRequirement;
}): Pick<ReportData, 'recommendation'> {
  if (!input.higherIsBetter) return {};
  const { run, full } = input;
  const results: MeasuredResult[] = [{ method: 'lora', rank: run.rank, score: run.score, ci95: run.ci95 }];
  if (full) results.push({ method: 'full', score: full.mean, ci95: full.ci95 });
  const fraction = full && full.mean > 0 ? Math.min(1, Math.max(0.01, input.threshold / full.mean)) : 0.9;
  return { recommendation: recommend(input.requirement ?? fraction, results) };
}
