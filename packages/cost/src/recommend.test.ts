import { describe, expect, it } from 'vitest';
import { recommend } from './recommend.js';
import type { MeasuredResult } from './recommend.js';

describe('recommend', () => {
  it('falls back to the decision guide without measurements, and says it is a prior', () => {
    expect(recommend('must-match')).toMatchObject({ method: 'full', basis: 'prior' });
    expect(recommend(0.95)).toMatchObject({ method: 'lora', rank: 32, rankRange: [32, 64], basis: 'prior' });
    expect(recommend(0.9)).toMatchObject({ method: 'lora', rank: 16 });
    expect(recommend(0.85)).toMatchObject({ method: 'lora', rank: 8 });
    expect(recommend(0.9).why).toContain('prior, not a measurement');
  });

  const results: MeasuredResult[] = [
    { method: 'full', score: 0.9, ci95: [0.87, 0.93] },
    { method: 'lora', rank: 64, score: 0.89, ci95: [0.86, 0.92] },
    { method: 'lora', rank: 8, score: 0.8, ci95: [0.76, 0.84] },
    { method: 'lora', rank: 16, score: 0.86, ci95: [0.83, 0.89] },
  ];

  it('picks the smallest rank whose lower bound clears the requirement', () => {
    // 0.9 · 0.9 = 0.81: r=8's lower bound 0.76 does not clear it, r=16's 0.83 does
    const pick = recommend(0.9, results);
    expect(pick).toMatchObject({ method: 'lora', rank: 16, basis: 'measured' });
    expect(pick.why).toContain('0.9 × full 0.9 = 0.81');
    // 0.95 · 0.9 = 0.855: only r=64 (0.86) clears it
    expect(recommend(0.95, results)).toMatchObject({ method: 'lora', rank: 64 });
  });

  it('recommends full fine-tuning when no rank clears the bar', () => {
    // must-match: lower bound ≥ full's lower bound 0.87; the best LoRA reaches 0.86
    const pick = recommend('must-match', results);
    expect(pick).toMatchObject({ method: 'full', basis: 'measured' });
    expect(pick.why).toContain('best: r=64 at 0.86');
  });

  it('uses the prior when there is no full fine-tune to compare with, and rejects bad requirements', () => {
    expect(recommend(0.9, results.slice(1))).toMatchObject({ basis: 'prior', rank: 16 });
    expect(() => recommend(1.5)).toThrow(/^quality requirement is 1.5/);
  });
});
