import { describe, expect, it } from 'vitest';
import { gradientMemory } from './gradient-memory.js';

describe('gradientMemory', () => {
  it('holds one gradient per trainable parameter', () => {
    expect(gradientMemory({ trainableParameters: 100, trainableDtype: 'bf16' })).toBe(200); // 100 · 2
    expect(gradientMemory({ trainableParameters: 100, trainableDtype: 'fp32' })).toBe(400); // 100 · 4
  });

  it('holds only the largest tensor when the optimizer steps in the backward pass', () => {
    const options = { trainableParameters: 100, trainableDtype: 'bf16', optimizerInBackward: true } as const;
    expect(gradientMemory({ ...options, largestTensorParameters: 30 })).toBe(60); // 30 · 2
  });
});
