import { describe, expect, it } from 'vitest';
import { trainingTime } from './training-time.js';

describe('trainingTime', () => {
  it('divides FLOPs by GPUs × peak × utilisation and prices the GPU-hours', () => {
    // 2 A100 80GB at 312 TFLOP/s and 40%: 2 · 312e12 · 0.4 · 3600 FLOPs take one hour; 2 GPU-hours at $1.79
    const time = trainingTime(2 * 312e12 * 0.4 * 3600, { gpu: 'a100-80gb', gpus: 2 });
    expect(time.hours).toBeCloseTo(1, 12);
    expect(time.gpuHours).toBeCloseTo(2, 12);
    expect(time.usd).toBeCloseTo(3.58, 12);
  });

  it('takes a custom GPU and utilisation', () => {
    const gpu = {
      displayName: 'x',
      memoryBytes: 1e9,
      peakBf16Tflops: 100,
      pricePerHour: 2,
      source: 's',
      priceAsOf: '2025-01',
    };
    // 100e12 · 0.5 · 3600 = 1.8e17 FLOPs per hour
    expect(trainingTime(3.6e17, { gpu, utilisation: 0.5 })).toEqual({ hours: 2, gpuHours: 2, usd: 4 });
  });

  it('rejects a utilisation outside (0, 1]', () => {
    expect(() => trainingTime(1, { gpu: 'h100-80gb', utilisation: 0 })).toThrow(
      /^utilisation is 0; give model FLOPs/,
    );
    expect(() => trainingTime(1, { gpu: 'h100-80gb', utilisation: 1.5 })).toThrow(/^utilisation is 1.5/);
  });
});
