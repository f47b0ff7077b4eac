/**
 * Regression check: the same other tasks scored before and after an adapter. A task regresses when the paired
 * 95% interval of (after − before), oriented so that positive is better, lies wholly below 0: the drop is
 * larger than its own uncertainty. Tasks whose drop is inside the interval are reported, not flagged.
 */
import { compareRuns } from './compare-runs.js';
import type { RunComparison } from './compare-runs.js';
import type { EvalRecord } from './eval-record.js';
import type { BootstrapOptions } from './paired-bootstrap.js';

export interface RegressionTask {
  task: string;
  before: readonly EvalRecord[];
  after: readonly EvalRecord[];
  /** false for losses such as perplexity (default true). */
  higherIsBetter?: boolean;
}

export interface RegressionResult {
  task: string;
  comparison: RunComparison;
  /** (after − before), sign flipped for lower-is-better metrics: negative is worse. */
  change: number;
  changeCi95: [number, number];
  regressed: boolean;
}

export function regressionCheck(
  tasks: readonly RegressionTask[],
  options: BootstrapOptions = {},
): RegressionResult[] {
  return tasks.map((task) => {
    const comparison = compareRuns(task.before, task.after, {
      ...options,
      names: { a: `${task.task} before`, b: `${task.task} after` },
    });
    const sign = task.higherIsBetter === false ? -1 : 1;
    const [low, high] = comparison.ci95;
    const changeCi95: [number, number] = sign > 0 ? [low, high] : [-high, -low];
    return {
      task: task.task,
      comparison,
      change: sign * comparison.difference,
      changeCi95,
      regressed: changeCi95[1] < 0,
    };
  });
}
