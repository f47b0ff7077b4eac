import { describe, expect, it } from 'vitest';
import { createBackend } from '@lorakit/kernels-cuda';
import { AdamWOptimizer } from './adamw-optimizer.js';

describe('AdamWOptimizer', () => {
  const backend = createBackend('cpu');

  it('clips the global gradient norm to the limit across tensors', () => {
    const a = { name: 'a', parameter: backend.zeros([2]), gradient: backend.fromArray([3, 0], [2]) };
    const b = { name: 'b', parameter: backend.zeros([1]), gradient: backend.fromArray([4], [1]) };
    const optimizer = new AdamWOptimizer(backend, [a, b]);
    expect(optimizer.clipGradients(1)).toBeCloseTo(5, 12); // √(9+16), the norm before clipping
    // scaled by 1/(5 + 1e-6), PyTorch's clip_grad_norm_
    expect(backend.toArray(a.gradient)[0]).toBeCloseTo(0.6, 6);
    expect(backend.toArray(b.gradient)[0]).toBeCloseTo(0.8, 6);
    expect(optimizer.gradientNorm()).toBeCloseTo(1, 6);
    expect(optimizer.clipGradients(10)).toBeCloseTo(1, 6); // under the limit: unchanged
    expect(backend.toArray(b.gradient)[0]).toBeCloseTo(0.8, 6);
  });

  it('takes AdamW steps (first step moves each weight by lr against the gradient sign) and round-trips state', () => {
    const entry = {
      name: 'w',
      parameter: backend.fromArray([1, -1], [2]),
      gradient: backend.fromArray([0.5, -2], [2]),
    };
    const optimizer = new AdamWOptimizer(backend, [entry], { weightDecay: 0.1 });
    optimizer.update(0.01);
    // m̂ = g, v̂ = g², update = lr·(g/|g| + wd·w): 1 − 0.01·(1 + 0.1) and −1 + 0.01·(1 + 0.1)
    const values = backend.toArray(entry.parameter);
    expect(values[0]).toBeCloseTo(0.989, 6);
    expect(values[1]).toBeCloseTo(-0.989, 6);
    const state = optimizer.exportState();
    expect(state.step).toBe(1);
    expect([...(state.firstMoments.get('w') ?? [])].map((x) => Number(x.toFixed(6)))).toEqual([0.05, -0.2]);
    const copy = new AdamWOptimizer(backend, [entry]);
    copy.importState(state);
    expect(copy.exportState()).toEqual(state);
  });
});
