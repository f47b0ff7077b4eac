/**
 * The validation checklist: eight questions a person must be able to answer "yes" to before shipping an
 * adapter, each judged from the report's data as pass, fail or not run, with the reason in one sentence.
 * "Not run" means the data holds no evidence either way; it is never counted as a pass.
 */
import type { ReportData, TaskResult } from './report-data.js';
import { reportFormat } from './report-format.js';

export type ChecklistStatus = 'pass' | 'fail' | 'not-run';

export interface ChecklistItem {
  /** Stable identifier (for tools reading the report's JSON). */
  id: ChecklistItemId;
  /** The question, as shown. */
  label: string;
  status: ChecklistStatus;
  reason: string;
}

export const CHECKLIST_LABELS = {
  'threshold-stated': 'Quality threshold stated before the run',
  splits: 'Train / validation / test split',
  'baseline-measured': 'Baseline measured',
  'adapter-evaluated': 'Adapter evaluated on validation and test',
  'compared-with-full': 'Compared with full fine-tune when quality is short',
  'merged-matches-adapter': 'Merged model matches adapter model',
  'no-regression': 'No regression on other tasks',
  'adapter-loading': 'Adapter loading tested',
} as const;

export type ChecklistItemId = keyof typeof CHECKLIST_LABELS;

type Verdict = { status: ChecklistStatus; reason: string };

/** Whether `score` meets `threshold` in the metric's direction. */
export function meetsThreshold(task: TaskResult, score: number, threshold: number): boolean {
  return task.higherIsBetter === false ? score <= threshold : score >= threshold;
}

/** The best LoRA run of a task in the metric's direction (non-finite scores ignored). */
export function bestRun(task: TaskResult): TaskResult['runs'][number] | undefined {
  const sign = task.higherIsBetter === false ? -1 : 1;
  return task.runs
    .filter((run) => Number.isFinite(run.score))
    .reduce<TaskResult['runs'][number] | undefined>(
      (best, run) => (!best || sign * run.score > sign * best.score ? run : best),
      undefined,
    );
}

/**
 * Per-task verdicts are combined: any failure fails the item, then any task without evidence makes it
 * "not run"; the reasons name the task when there is more than one.
 */
function combine(tasks: readonly TaskResult[], judge: (task: TaskResult) => Verdict): Verdict {
  if (tasks.length === 0) return { status: 'not-run', reason: 'no task in the report' };
  const verdicts = tasks.map((task) => ({ task, ...judge(task) }));
  const status: ChecklistStatus = verdicts.some((v) => v.status === 'fail')
    ? 'fail'
    : verdicts.some((v) => v.status === 'not-run')
      ? 'not-run'
      : 'pass';
  const reason = verdicts
    .map((v) => (tasks.length > 1 ? `${v.task.task}: ${v.reason}` : v.reason))
    .join('; ');
  return { status, reason };
}

function thresholdStated(task: TaskResult): Verdict {
  if (!task.threshold || !Number.isFinite(task.threshold.value))
    return { status: 'not-run', reason: 'no threshold given' };
  const value = `${task.metric} ${task.higherIsBetter === false ? '≤' : '≥'} ${reportFormat.score(task.threshold.value)}`;
  return task.threshold.statedBeforeRun
    ? { status: 'pass', reason: `${value}, fixed before the first run` }
    : { status: 'fail', reason: `${value} was set after results were seen` };
}

function splits(task: TaskResult): Verdict {
  const sizes = task.splits;
  if (!sizes) return { status: 'not-run', reason: 'split sizes not recorded' };
  const text = `${sizes.train} / ${sizes.validation} / ${sizes.test} items`;
  const empty = (['train', 'validation', 'test'] as const).filter((name) => !(sizes[name] > 0));
  return empty.length === 0
    ? { status: 'pass', reason: text }
    : { status: 'fail', reason: `${text}: no ${empty.join(', ')} split` };
}

function baselineMeasured(task: TaskResult): Verdict {
  const baseline = task.baseline;
  if (!baseline || !Number.isFinite(baseline.score))
    return { status: 'not-run', reason: 'base model not scored' };
  return {
    status: 'pass',
    reason: `base model scores ${reportFormat.score(baseline.score)} ${reportFormat.interval(baseline.ci95)}`,
  };
}

function adapterEvaluated(task: TaskResult): Verdict {
  if (task.runs.length === 0) return { status: 'not-run', reason: 'no LoRA run' };
  const missing = task.runs.filter(
    (run) => !Number.isFinite(run.validationScore ?? NaN) || !Number.isFinite(run.testScore ?? NaN),
  );
  if (missing.length > 0) {
    return {
      status: 'fail',
      reason: `missing validation or test score for ${missing.map((run) => `r=${run.rank}`).join(', ')}`,
    };
  }
  return {
    status: 'pass',
    reason: `${task.runs.length} rank${task.runs.length > 1 ? 's' : ''} scored on both splits`,
  };
}

function comparedWithFull(task: TaskResult): Verdict {
  const best = bestRun(task);
  if (!best) return { status: 'not-run', reason: 'no scored LoRA run' };
  const threshold = task.threshold?.value;
  const full = task.full && Number.isFinite(task.full.score) ? task.full : undefined;
  if (full) {
    return {
      status: 'pass',
      reason: `full fine-tune scores ${reportFormat.score(full.score)} against best LoRA ${reportFormat.score(best.score)} (r=${best.rank})`,
    };
  }
  if (threshold === undefined || !Number.isFinite(threshold)) {
    return {
      status: 'not-run',
      reason: 'no threshold to tell whether quality is short, and no full fine-tune',
    };
  }
  return meetsThreshold(task, best.score, threshold)
    ? {
        status: 'pass',
        reason: `not needed: r=${best.rank} scores ${reportFormat.score(best.score)}, meeting ${reportFormat.score(threshold)}`,
      }
    : {
        status: 'fail',
        reason: `best LoRA ${reportFormat.score(best.score)} is short of ${reportFormat.score(threshold)} and no full fine-tune was run`,
      };
}

export function buildChecklist(data: ReportData): ChecklistItem[] {
  const verdicts: Record<ChecklistItemId, Verdict> = {
    'threshold-stated': combine(data.tasks, thresholdStated),
    splits: combine(data.tasks, splits),
    'baseline-measured': combine(data.tasks, baselineMeasured),
    'adapter-evaluated': combine(data.tasks, adapterEvaluated),
    'compared-with-full': combine(data.tasks, comparedWithFull),
    'merged-matches-adapter': mergedMatches(data),
    'no-regression': noRegression(data),
    'adapter-loading': adapterLoading(data),
  };
  return (Object.keys(CHECKLIST_LABELS) as ChecklistItemId[]).map((id) => ({
    id,
    label: CHECKLIST_LABELS[id],
    ...verdicts[id],
  }));
}

function mergedMatches(data: ReportData): Verdict {
  const check = data.mergedCheck;
  if (!check) return { status: 'not-run', reason: 'merged-check not run' };
  const text = `max |Δlogit| ${reportFormat.scientific(check.maxAbsDiff)} against atol ${reportFormat.scientific(check.atol)}, rtol ${reportFormat.scientific(check.rtol)}`;
  return { status: check.pass ? 'pass' : 'fail', reason: `${text}${check.dtype ? ` (${check.dtype})` : ''}` };
}

function noRegression(data: ReportData): Verdict {
  const regressions = data.regressions ?? [];
  if (regressions.length === 0) return { status: 'not-run', reason: 'no other task checked' };
  const flagged = regressions.filter((entry) => entry.flagged);
  if (flagged.length === 0)
    return {
      status: 'pass',
      reason: `${regressions.length} other task${regressions.length > 1 ? 's' : ''}, no drop beyond its interval`,
    };
  const list = flagged.map(
    (entry) =>
      `${entry.task} ${reportFormat.score(entry.before.score)} → ${reportFormat.score(entry.after.score)}`,
  );
  return { status: 'fail', reason: `drop beyond its interval on ${list.join(', ')}` };
}

function adapterLoading(data: ReportData): Verdict {
  const loading = data.adapterLoading;
  if (!loading || !loading.tested)
    return { status: 'not-run', reason: loading?.what || 'adapter not loaded back' };
  return { status: loading.pass === false ? 'fail' : 'pass', reason: loading.what };
}
