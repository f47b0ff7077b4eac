import { describe, expect, it } from 'vitest';
import { learningRateAt } from './learning-rate-schedule.js';

describe('learningRateAt', () => {
  const base = { peak: 1e-3, warmupSteps: 10, totalSteps: 110 };
  it('warms up linearly to the peak', () => {
    expect(learningRateAt(1, base)).toBeCloseTo(1e-4, 15);
    expect(learningRateAt(5, base)).toBeCloseTo(5e-4, 15);
    expect(learningRateAt(10, base)).toBe(1e-3); // warmup end = peak exactly
  });
  it('cosine: half the peak half-way through the decay, zero at the end', () => {
    // decay progress p = (s − 11)/100: the first step after warmup is at the peak
    expect(learningRateAt(11, base)).toBe(1e-3);
    expect(learningRateAt(61, base)).toBeCloseTo(5e-4, 15);
    expect(learningRateAt(36, base)).toBeCloseTo((1e-3 * (1 + Math.cos(Math.PI / 4))) / 2, 15); // 8.5355e-4
    expect(learningRateAt(110, base)).toBeCloseTo((1e-3 * (1 + Math.cos(Math.PI * 0.99))) / 2, 15); // 2.5e-7
    expect(learningRateAt(200, base)).toBeCloseTo(0, 15);
  });
  it('linear decay and a floor', () => {
    expect(learningRateAt(61, { ...base, decay: 'linear' })).toBeCloseTo(5e-4, 15);
    expect(learningRateAt(86, { ...base, decay: 'linear' })).toBeCloseTo(2.5e-4, 15);
    // floor 0.1·peak: half-way = 1e-4 + 9e-4/2
    expect(learningRateAt(61, { ...base, minimumRatio: 0.1 })).toBeCloseTo(5.5e-4, 15);
    expect(learningRateAt(111, { ...base, decay: 'linear', minimumRatio: 0.1 })).toBeCloseTo(1e-4, 15);
  });
  it('no warmup starts at the peak; constant stays there', () => {
    expect(learningRateAt(1, { peak: 2e-4, totalSteps: 1 })).toBe(2e-4);
    expect(learningRateAt(50, { ...base, decay: 'constant' })).toBe(1e-3);
  });
});
