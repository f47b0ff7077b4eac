/**
 * The validation checklist as one runnable report: score the base model and base + adapter (and a full
 * fine-tune when given) on the same items, check merged ≡ adapter, check other tasks for regressions, record
 * that the adapter loaded, read the trainer's loss curves, and render the report.
 *
 * The quality threshold comes from the options and is recorded with the time the run started, before any model
 * is loaded: that is what makes it "stated before the run". The recommendation is @lorakit/cost's `recommend`
 * on the measured test scores; unless a requirement is given it is the threshold as a fraction of the full
 * fine-tune's score (so "LoRA's lower bound ≥ f × full" reads "LoRA's lower bound ≥ threshold"), and without a
 * full fine-tune cost falls back to its decision guide (a prior, said so in the report).
 */
import { readFile } from 'node:fs/promises';
import type { Adapter } from '@lorakit/core';
import { readAdapterFolder } from '@lorakit/core/node';
import type { QualityRequirement } from '@lorakit/cost';
import type { Backend, BackendPreference } from '@lorakit/kernels-cuda';
import { loadModel, loadTokenizer } from '@lorakit/models';
import type { Model } from '@lorakit/models';
import type { EvalItem } from './eval-item.js';
import { mergedCheck } from './merged-check.js';
import { getMetric } from './metrics.js';
import {
  checklistRecommendation,
  checklistRegressions,
  relativeToFull,
  runSummary,
} from './checklist-results.js';
import { renderPrompt } from './rendered-prompt.js';
import type { LoraRunResult, ReportData, SplitSizes } from './report-data.js';
import { parseMetricsJsonl } from './report-metrics-jsonl.js';
import { renderReport } from './report.js';
import { evaluateModel } from './run-evaluation.js';
import type { EvaluationRun } from './run-evaluation.js';
import { readTestFile } from './test-file.js';

/** The task the adapter was trained for. */
export interface ChecklistTask {
  name: string;
  testFile: string;
  validationFile?: string;
  metric: string;
  /** The score the adapter must reach on `metric` (≤ for lower-is-better metrics). */
  threshold: number;
}

/** A task the adapter was not meant to change, scored before and after it. */
export interface ChecklistOtherTask {
  name: string;
  testFile: string;
  metric: string;
}

export interface RunChecklistOptions {
  /** The base model folder. */
  model: string;
  /** The PEFT adapter folder. */
  adapter: string;
  task: ChecklistTask;
  otherTasks?: readonly ChecklistOtherTask[];
  /** A full fine-tuned model folder (same tokenizer as the base). */
  full?: string;
  /** The trainer's metrics.jsonl, for the loss curves. */
  metricsFile?: string;
  splits?: SplitSizes;
  /** Score only the first N items of every file. */
  limit?: number;
  backend?: Backend | BackendPreference;
  /** What `recommend` is asked for; default: the threshold as a fraction of full, or 0.9 without full. */
  requirement?: QualityRequirement;
  /** Random inputs of the merged check (default 8). */
  mergedCheckSamples?: number;
  /** Seed of the bootstraps (default 0). */
  seed?: number;
  onLog?: (line: string) => void;
}

export interface ChecklistRun {
  data: ReportData;
  markdown: string;
  html: string;
}

const ADAPTER_NAME = 'checklist-adapter';

/** Largest |a − b| over two logit vectors (NaN anywhere gives NaN). */
function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let largest = 0;
  a.forEach((value, index) => {
    const difference = Math.abs(value - (b[index] as number));
    largest = Number.isNaN(difference) || Number.isNaN(largest) ? Number.NaN : Math.max(largest, difference);
  });
  return largest;
}

function describeTargets(adapter: Adapter): string {
  const targets = adapter.config.target_modules;
  return Array.isArray(targets) ? targets.join(', ') : (targets ?? 'architecture default');
}

interface Scored {
  validation?: EvaluationRun;
  test: EvaluationRun;
}

export async function runChecklist(options: RunChecklistOptions): Promise<ChecklistRun> {
  // Recorded before anything is read or loaded: the threshold in these options predates every score.
  const startedAt = new Date().toISOString();
  const log = options.onLog ?? ((): void => undefined);
  const { task } = options;
  const otherTasks = options.otherTasks ?? [];
  const spec = getMetric(task.metric); // unknown metrics fail before anything loads
  for (const other of otherTasks) getMetric(other.metric);
  const limit = options.limit !== undefined ? { limit: options.limit } : {};
  const testItems = await readTestFile({ path: task.testFile, ...limit });
  const validationItems = task.validationFile
    ? await readTestFile({ path: task.validationFile, ...limit })
    : undefined;
  const otherItems = await Promise.all(
    otherTasks.map((other) => readTestFile({ path: other.testFile, ...limit })),
  );
  const backend = options.backend ?? 'auto';
  const tokenizer = await loadTokenizer({ modelDirectory: options.model });

  const score = (
    model: Model,
    items: readonly EvalItem[],
    metric: string,
    adapter: string | null,
    label: string,
  ): EvaluationRun => {
    const run = evaluateModel({ model, tokenizer, items, metric, adapter });
    log(`${label}: ${metric} ${run.mean.toFixed(4)} over ${run.n} items`);
    return run;
  };
  const scoreTask = (model: Model, adapter: string | null, label: string): Scored => ({
    ...(validationItems
      ? { validation: score(model, validationItems, task.metric, adapter, `${label} (validation)`) }
      : {}),
    test: score(model, testItems, task.metric, adapter, `${label} (test)`),
  });

  const base = await loadModel(options.model, { backend, onLog: log });
  let adapter: Adapter;
  let loadingWhat: string;
  let loadingPass: boolean;
  let baseline: Scored;
  let withAdapter: Scored;
  const others: { before: EvaluationRun; after: EvaluationRun }[] = [];
  try {
    adapter = await readAdapterFolder(options.adapter, {
      baseModules: base.modules,
      onWarning: (message) => log(`warning: ${message}`),
    });
    base.attachAdapter(ADAPTER_NAME, adapter);
    // The adapter must change the model's output, else it was loaded but not applied (a zero B, say).
    const probe = renderPrompt(tokenizer, testItems[0] as EvalItem).tokens;
    const moved = maxAbsDifference(base.logits(probe, { adapter: ADAPTER_NAME }), base.logits(probe));
    loadingPass = adapter.modules.length > 0 && Number.isFinite(moved) && moved > 0;
    loadingWhat =
      `@lorakit/core readAdapterFolder (PEFT layout) loaded ${adapter.modules.length} modules ` +
      `(r=${adapter.config.r}, alpha ${adapter.config.lora_alpha}, targets ${describeTargets(adapter)}) from ` +
      `${options.adapter}; attached, it moves the first test prompt's logits by up to ${moved.toExponential(2)}`;
    baseline = scoreTask(base, null, 'base');
    withAdapter = scoreTask(base, ADAPTER_NAME, 'base + adapter');
    otherTasks.forEach((other, index) => {
      const items = otherItems[index] as EvalItem[];
      others.push({
        before: score(base, items, other.metric, null, `${other.name} before`),
        after: score(base, items, other.metric, ADAPTER_NAME, `${other.name} after`),
      });
    });
  } finally {
    base.dispose();
  }

  let full: Scored | undefined;
  if (options.full !== undefined) {
    const fullModel = await loadModel(options.full, { backend, onLog: log });
    try {
      full = scoreTask(fullModel, null, 'full fine-tune');
    } finally {
      fullModel.dispose();
    }
  }

  const merged = await mergedCheck({
    model: options.model,
    adapter: options.adapter,
    samples: options.mergedCheckSamples ?? 8,
    backend,
    onLog: log,
  });
  log(
    `merged check: max |Δlogit| ${merged.max_abs_diff.toExponential(2)} (${merged.pass ? 'pass' : 'FAIL'})`,
  );

  const bootstrap = { seed: options.seed ?? 0 };
  const rank = adapter.config.r;
  const run: LoraRunResult = {
    method: 'lora',
    rank,
    score: withAdapter.test.mean,
    ci95: withAdapter.test.ci95,
    testScore: withAdapter.test.mean,
    ...(withAdapter.validation ? { validationScore: withAdapter.validation.mean } : {}),
    ...relativeToFull(withAdapter.test, full?.test, spec.higherIsBetter, bootstrap, log),
  };

  const regressions = checklistRegressions(
    otherTasks.map((other, index) => ({ task: other.name, ...(others[index] as (typeof others)[number]) })),
    bootstrap,
  );

  const lossCurves = options.metricsFile
    ? { run: `LoRA r=${rank}`, ...parseMetricsJsonl(await readFile(options.metricsFile, 'utf8')) }
    : undefined;

  const data: ReportData = {
    title: `Validation checklist: ${task.name}`,
    model: options.model,
    generatedAt: startedAt,
    tasks: [
      {
        task: task.name,
        metric: task.metric,
        higherIsBetter: spec.higherIsBetter,
        threshold: {
          value: task.threshold,
          statedBeforeRun: true,
          note: `given with the run's options, recorded at its start (${startedAt})`,
        },
        ...(options.splits ? { splits: options.splits } : {}),
        baseline: runSummary(baseline.test),
        runs: [run],
        ...(full
          ? {
              full: {
                score: full.test.mean,
                ci95: full.test.ci95,
                testScore: full.test.mean,
                ...(full.validation ? { validationScore: full.validation.mean } : {}),
              },
            }
          : {}),
      },
    ],
    mergedCheck: {
      maxAbsDiff: merged.max_abs_diff,
      atol: merged.atol,
      rtol: merged.rtol,
      pass: merged.pass,
      samples: merged.samples,
      dtype: merged.dtype,
    },
    regressions,
    adapterLoading: { tested: true, what: loadingWhat, pass: loadingPass },
    ...(lossCurves
      ? {
          lossCurves: {
            run: lossCurves.run,
            training: lossCurves.training,
            validation: lossCurves.validation,
          },
        }
      : {}),
    ...checklistRecommendation({
      threshold: task.threshold,
      higherIsBetter: spec.higherIsBetter,
      run,
      ...(full ? { full: full.test } : {}),
      ...(options.requirement !== undefined ? { requirement: options.requirement } : {}),
    }),
  };
  return { data, ...renderReport(data) };
}
