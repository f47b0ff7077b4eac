/**
 * A realistic example of ReportData (an 8B model, one JSON-extraction task, five LoRA ranks, a full
 * fine-tune, two regression tasks, 600 training steps): used by the tests, to preview the page in a
 * browser, and as a template for callers assembling their own data.
 */
import type { ReportData, TrainingLossPoint, ValidationLossPoint } from './report-data.js';

/** Deterministic noise in [-1, 1) (a linear congruential generator), so the example never changes. */
function noise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

/** Loss decaying from ~2.2 towards ~0.6, logged every 10 steps; validation every 100 steps. */
function exampleCurves(): { training: TrainingLossPoint[]; validation: ValidationLossPoint[] } {
  const random = noise(7);
  const training: TrainingLossPoint[] = [];
  const validation: ValidationLossPoint[] = [];
  for (let step = 10; step <= 600; step += 10) {
    const trend = 0.6 + 1.6 * Math.exp(-step / 120);
    training.push({ step, loss: Number((trend + 0.06 * random()).toFixed(4)) });
    if (step % 100 === 0)
      validation.push({ step, validation_loss: Number((trend + 0.08 + step / 8000).toFixed(4)) });
  }
  return { training, validation };
}

const MEBIBYTE = 1024 * 1024;

export function exampleReportData(): ReportData {
  const runs = [
    {
      rank: 4,
      score: 0.781,
      ci95: [0.745, 0.815],
      validation: 0.79,
      seconds: 1510,
      relative: [0.866, [0.828, 0.902]],
      cost: 0.19,
    },
    {
      rank: 8,
      score: 0.832,
      ci95: [0.799, 0.863],
      validation: 0.841,
      seconds: 1535,
      relative: [0.922, [0.889, 0.953]],
      cost: 0.195,
    },
    {
      rank: 16,
      score: 0.874,
      ci95: [0.845, 0.901],
      validation: 0.879,
      seconds: 1580,
      relative: [0.969, [0.941, 0.995]],
      cost: 0.2,
    },
    {
      rank: 32,
      score: 0.889,
      ci95: [0.861, 0.915],
      validation: 0.893,
      seconds: 1660,
      relative: [0.986, [0.961, 1.01]],
      cost: 0.21,
    },
    {
      rank: 64,
      score: 0.893,
      ci95: [0.866, 0.919],
      validation: 0.897,
      seconds: 1820,
      relative: [0.99, [0.966, 1.013]],
      cost: 0.23,
    },
  ] as const;
  return {
    title: 'Validation checklist: invoice-fields adapter',
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    generatedAt: '2025-03-14T10:32:00Z',
    tasks: [
      {
        task: 'invoice-fields',
        metric: 'json_field_f1',
        threshold: { value: 0.85, statedBeforeRun: true, note: 'study.json, written before training' },
        splits: { train: 4000, validation: 500, test: 500 },
        baseline: { score: 0.412, ci95: [0.371, 0.455], items: 500 },
        runs: runs.map((run) => ({
          method: 'lora' as const,
          rank: run.rank,
          score: run.score,
          ci95: run.ci95,
          validationScore: run.validation,
          testScore: run.score,
          trainSeconds: run.seconds,
          adapterBytes: run.rank * 5.25 * MEBIBYTE,
          projectedCostUsd: 48 * run.cost,
          qualityRelativeToFull: { value: run.relative[0], ci95: run.relative[1] },
          costRelativeToFull: run.cost,
        })),
        full: {
          score: 0.902,
          ci95: [0.876, 0.927],
          validationScore: 0.906,
          testScore: 0.902,
          trainSeconds: 5400,
          checkpointBytes: 16.06 * 1024 * MEBIBYTE,
          projectedCostUsd: 48,
        },
      },
    ],
    mergedCheck: { maxAbsDiff: 3.1e-7, atol: 1e-4, rtol: 1e-4, pass: true, samples: 8, dtype: 'f32' },
    regressions: [
      {
        task: 'mmlu-500',
        metric: 'exact_match',
        before: { score: 0.652, ci95: [0.61, 0.693] },
        after: { score: 0.648, ci95: [0.606, 0.689] },
        flagged: false,
        differenceCi95: [-0.021, 0.013],
        pValue: 0.62,
      },
      {
        task: 'gsm8k-200',
        metric: 'exact_match',
        before: { score: 0.41, ci95: [0.343, 0.479] },
        after: { score: 0.335, ci95: [0.271, 0.404] },
        flagged: true,
        differenceCi95: [-0.125, -0.025],
        pValue: 0.004,
      },
    ],
    adapterLoading: {
      tested: true,
      what: 'PEFT 0.13 loads adapter/ and its logits match lorakit’s (max diff 2.4e-7)',
    },
    lossCurves: { run: 'LoRA r=16', ...exampleCurves() },
    recommendation: {
      method: 'lora',
      rank: 16,
      basis: 'measured',
      why: 'LoRA r=16 is the smallest rank that scores above the 0.85 threshold; it reaches 96.9% of the full fine-tune for 20% of its cost.',
    },
  };
}
