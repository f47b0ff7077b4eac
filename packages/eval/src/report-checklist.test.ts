import { describe, expect, it } from 'vitest';
import { buildChecklist } from './report-checklist.js';
import type { ReportData, TaskResult } from './report-data.js';
import { exampleReportData } from './report-example.js';

const statuses = (data: ReportData): Record<string, string> =>
  Object.fromEntries(buildChecklist(data).map((item) => [item.id, item.status]));

function task(overrides: Partial<TaskResult>): TaskResult {
  return { task: 't', metric: 'exact_match', runs: [], ...overrides };
}

describe('buildChecklist', () => {
  it('judges the example study', () => {
    expect(statuses(exampleReportData())).toEqual({
      'threshold-stated': 'pass',
      splits: 'pass',
      'baseline-measured': 'pass',
      'adapter-evaluated': 'pass',
      'compared-with-full': 'pass',
      'merged-matches-adapter': 'pass',
      'no-regression': 'fail',
      'adapter-loading': 'pass',
    });
  });

  it('does not need a full fine-tune when LoRA meets the threshold, and fails when it falls short', () => {
    const run = { method: 'lora' as const, rank: 8, score: 0.91, ci95: [0.88, 0.94] as const };
    const meets = buildChecklist({
      tasks: [task({ threshold: { value: 0.9, statedBeforeRun: true }, runs: [run] })],
    });
    expect(meets.find((item) => item.id === 'compared-with-full')).toMatchObject({
      status: 'pass',
      reason: 'not needed: r=8 scores 0.91, meeting 0.9',
    });
    const short = buildChecklist({
      tasks: [task({ threshold: { value: 0.95, statedBeforeRun: true }, runs: [run] })],
    });
    expect(short.find((item) => item.id === 'compared-with-full')?.status).toBe('fail');
    // Lower is better (perplexity): 8.1 meets a bar of 9.
    const perplexity = buildChecklist({
      tasks: [
        task({
          metric: 'perplexity',
          higherIsBetter: false,
          threshold: { value: 9, statedBeforeRun: true },
          runs: [{ ...run, score: 8.1 }],
        }),
      ],
    });
    expect(perplexity.find((item) => item.id === 'compared-with-full')?.status).toBe('pass');
  });

  it('reports not run for missing evidence and names tasks when there are several', () => {
    const items = buildChecklist({
      tasks: [task({ task: 'a', baseline: { score: 0.3, ci95: [0.2, 0.4] } }), task({ task: 'b' })],
    });
    const baseline = items.find((item) => item.id === 'baseline-measured');
    expect(baseline).toMatchObject({
      status: 'not-run',
      reason: 'a: base model scores 0.3 [0.2, 0.4]; b: base model not scored',
    });
    expect(statuses({ tasks: [] })['threshold-stated']).toBe('not-run');
    expect(
      statuses({ tasks: [], adapterLoading: { tested: true, what: 'x', pass: false } })['adapter-loading'],
    ).toBe('fail');
    expect(
      statuses({ tasks: [], mergedCheck: { maxAbsDiff: 0.01, atol: 1e-4, rtol: 1e-4, pass: false } })[
        'merged-matches-adapter'
      ],
    ).toBe('fail');
  });
});
