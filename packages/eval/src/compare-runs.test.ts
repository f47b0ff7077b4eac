import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRuns } from './compare-runs.js';
import type { EvalRecord } from './eval-record.js';
import { qualityRelativeToFull } from './quality-relative.js';
import { readRecords, writeRecords } from './records-file.js';
import { regressionCheck } from './regression-check.js';

function records(scores: readonly number[], prefix = 'q'): EvalRecord[] {
  return scores.map((score, index) => ({
    id: `${prefix}${index}`,
    prompt_hash: `h${index}`,
    output: '',
    reference: '',
    score,
  }));
}

describe('compareRuns', () => {
  // 100 items: both right on 60, A only on 2, B only on 10, both wrong on 28 → McNemar b = 2, c = 10
  const a = records(Array.from({ length: 100 }, (_, index) => (index < 62 ? 1 : 0)));
  const b = records(
    Array.from({ length: 100 }, (_, index) => (index < 60 || (index >= 62 && index < 72) ? 1 : 0)),
  );

  it('uses McNemar exact for 0/1 scores, with a bootstrap interval of the difference', () => {
    const result = compareRuns(a, b, { seed: 0, replicates: 2000 });
    expect(result).toMatchObject({ n: 100, test: 'mcnemar', discordant: { a_only: 2, b_only: 10 } });
    expect(result.a).toBeCloseTo(0.62, 12);
    expect(result.b).toBeCloseTo(0.7, 12);
    expect(result.difference).toBeCloseTo(0.08, 12);
    expect(result.p_value).toBeCloseTo(158 / 4096, 10);
    expect(result.ci95[0]).toBeGreaterThan(0);
    expect(result.ci95[1]).toBeLessThan(0.2);
  });

  it('uses the paired bootstrap for continuous scores', () => {
    const result = compareRuns(records([0.5, 0.7, 0.2, 0.9]), records([0.6, 0.7, 0.3, 1]), { seed: 1 });
    expect(result.test).toBe('paired_bootstrap');
    expect(result.difference).toBeCloseTo(0.075, 12);
  });

  it('refuses runs over different items, saying how many differ', () => {
    const shifted = records([1, 0, 1], 'q').map((record, index) =>
      index === 2 ? { ...record, id: 'other' } : record,
    );
    const changed = records([1, 0, 1]).map((record, index) =>
      index === 0 ? { ...record, prompt_hash: 'x' } : record,
    );
    expect(() => compareRuns(records([1, 0, 1]), shifted)).toThrow(
      /cover different items: 2 of 4 differ \(1 only in run A, 1 only in run B, 0 with another prompt\)/,
    );
    expect(() => compareRuns(records([1, 0, 1]), changed)).toThrow(/1 of 3 differ .*1 with another prompt/);
  });
});

describe('quality relative to full fine-tune and regression check', () => {
  it('ratio of means; inverted for lower-is-better metrics', () => {
    const full = records([1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
    const lora = records([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
    expect(qualityRelativeToFull(lora, full, { seed: 0 }).ratio).toBeCloseTo(8 / 9, 12);
    expect(
      qualityRelativeToFull(records([4, 4]), records([2, 2]), { higherIsBetter: false }).ratio,
    ).toBeCloseTo(0.5, 12);
  });

  it('flags a drop larger than its interval and not a small one', () => {
    const before = records(Array.from({ length: 200 }, (_, index) => (index % 10 < 8 ? 1 : 0)));
    const dropped = before.map((record, index) => (index % 10 < 3 ? { ...record, score: 0 } : record));
    const wobble = before.map((record, index) => (index === 0 ? { ...record, score: 0 } : record));
    const results = regressionCheck([
      { task: 'math', before, after: dropped },
      { task: 'trivia', before, after: wobble },
    ]);
    expect(results.map((result) => [result.task, result.regressed])).toEqual([
      ['math', true],
      ['trivia', false],
    ]);
    expect(results[0]?.change).toBeCloseTo(-0.3, 12);
  });
});

describe('records files', () => {
  it('round-trips and names FILE:LINE for a bad record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorakit-records-'));
    const path = join(dir, 'run.jsonl');
    const written = records([1, 0]);
    await writeRecords({ path, records: written });
    expect(await readRecords({ path })).toEqual(written);
    writeFileSync(path, '{"id": "a", "prompt_hash": "h", "score": 1}\n{"id": "b", "score": "1"}\n');
    await expect(readRecords({ path })).rejects.toThrow(
      /run\.jsonl:2: a record needs "prompt_hash" \(string\), "score" \(finite number\)/,
    );
  });
});
