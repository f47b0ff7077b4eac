import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildChecklist } from './report-checklist.js';
import type { ChecklistItemId, ChecklistStatus } from './report-checklist.js';
import { runChecklist } from './run-checklist.js';
import { fixturesDir, fixturesSkipReason } from './testing/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lorakit-checklist-'));

function jsonl(name: string, records: readonly object[]): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((record) => JSON.stringify(record)).join('\n'));
  return path;
}

/** Short prompts in the fixture tokenizer's vocabulary (plain lowercase words and digits). */
const testFile = jsonl('test.jsonl', [
  { id: 't1', prompt: 'The sky is', completion: ' blue' },
  { id: 't2', prompt: '1 2 3', completion: ' 4' },
  {
    id: 't3',
    messages: [
      { role: 'user', content: 'Say hi' },
      { role: 'assistant', content: 'hi' },
    ],
  },
]);
const validationFile = jsonl('validation.jsonl', [
  { id: 'v1', prompt: 'a b c', completion: ' d' },
  { id: 'v2', prompt: 'The sun is', completion: ' hot' },
]);
const otherFile = jsonl('other.jsonl', [
  { id: 'o1', prompt: 'one two', completion: ' three' },
  { id: 'o2', prompt: 'red green', completion: ' blue' },
]);
const metricsFile = jsonl('metrics.jsonl', [
  { step: 1, loss: 2.5, validation_loss: null },
  { step: 2, loss: 2.1, validation_loss: 2.3 },
  { step: 3, loss: 1.8, validation_loss: null },
  { step: 4, loss: 1.6, validation_loss: 1.9 },
]);

function statuses(
  items: readonly { id: ChecklistItemId; status: ChecklistStatus }[],
): Record<string, string> {
  return Object.fromEntries(items.map((item) => [item.id, item.status]));
}

describe.skipIf(!fixturesDir)('runChecklist on the tiny PEFT fixture', () => {
  if (!fixturesDir) console.warn(fixturesSkipReason());
  const folder = join(fixturesDir ?? '', 'peft-tiny-llama');
  const common = {
    model: join(folder, 'base'),
    adapter: join(folder, 'adapter'),
    task: { name: 'toy completion', testFile, validationFile, metric: 'rouge_l', threshold: 0.9 },
    otherTasks: [{ name: 'other words', testFile: otherFile, metric: 'exact_match' }],
    metricsFile,
    splits: { train: 10, validation: 2, test: 3 },
    limit: 3,
    backend: 'cpu' as const,
    mergedCheckSamples: 3,
  };

  it('without a full fine-tune: every item judged from what was run', async () => {
    const logs: string[] = [];
    const result = await runChecklist({ ...common, onLog: (line) => logs.push(line) });
    const task = result.data.tasks[0];
    const run = task?.runs[0];
    expect(run?.testScore).toBeGreaterThanOrEqual(0);
    expect(run?.validationScore).toBeGreaterThanOrEqual(0);
    expect(task?.baseline?.items).toBe(3);
    expect(task?.threshold).toMatchObject({ value: 0.9, statedBeforeRun: true });
    expect(result.data.mergedCheck?.pass).toBe(true);
    expect(result.data.mergedCheck?.maxAbsDiff).toBeLessThan(1e-4); // f32 bar, atol = rtol = 1e-4
    expect(result.data.adapterLoading?.what).toMatch(/loaded \d+ modules/);
    expect(result.data.lossCurves?.training).toHaveLength(4);
    expect(result.data.lossCurves?.validation).toEqual([
      { step: 2, validation_loss: 2.3 },
      { step: 4, validation_loss: 1.9 },
    ]);
    // no full fine-tune: cost's decision guide, which says it is a prior
    expect(result.data.recommendation?.basis).toBe('prior');
    const flagged = result.data.regressions?.some((entry) => entry.flagged) ?? true;
    const short = (run?.score ?? 1) < 0.9;
    expect(statuses(buildChecklist(result.data))).toEqual({
      'threshold-stated': 'pass',
      splits: 'pass',
      'baseline-measured': 'pass',
      'adapter-evaluated': 'pass',
      // the report's rule: short of the threshold without a full run fails; meeting it makes full unnecessary
      'compared-with-full': short ? 'fail' : 'pass',
      'merged-matches-adapter': 'pass',
      'no-regression': flagged ? 'fail' : 'pass',
      'adapter-loading': 'pass',
    });
    expect(result.markdown).toContain('toy completion');
    expect(result.html).toMatch(/^<!DOCTYPE html>/i);
    expect(result.html).toContain('<svg');
    // self-contained: nothing fetched from elsewhere
    expect(result.html).not.toMatch(/<(script|img|link|iframe)\b[^>]*\b(src|href)=/i);
    expect(logs.some((line) => line.startsWith('merged check'))).toBe(true);
  });

  it('with a full fine-tune (the base folder standing in): compared with full, quality relative to it', async () => {
    const result = await runChecklist({ ...common, full: join(folder, 'base'), otherTasks: [] });
    const task = result.data.tasks[0];
    expect(task?.full?.score).toBeCloseTo(task?.baseline?.score ?? Number.NaN, 12);
    // a ratio needs a full score above 0; the untrained stand-in may score 0 on these prompts
    expect(task?.runs[0]?.qualityRelativeToFull !== undefined).toBe((task?.full?.score ?? 0) > 0);
    expect(result.data.recommendation?.basis).toBe('measured');
    const items = statuses(buildChecklist(result.data));
    expect(items['compared-with-full']).toBe('pass');
    expect(items['no-regression']).toBe('not-run');
  });
});
