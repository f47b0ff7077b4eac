import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import type { AdamWArgs } from '../ops.js';
import {
  backendsPresent,
  expectClose,
  referenceBackend,
  SeededRandom,
  withTensors,
} from '../testing/index.js';

const backends = await backendsPresent();

type Hyperparameters = Omit<AdamWArgs, 'param' | 'grad' | 'm' | 'v' | 'step'>;
const HYPERPARAMETERS: Hyperparameters = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };

/** `steps` AdamW steps with gradients[step − 1]; returns param, m and v. */
function adamw(
  backend: Backend,
  param: Float32Array,
  gradients: Float32Array[],
  hyperparameters = HYPERPARAMETERS,
): Record<'param' | 'grad' | 'm' | 'v', Float32Array> {
  const shape = [param.length];
  return withTensors(backend, { param: { values: param, shape }, grad: shape, m: shape, v: shape }, (t) => {
    gradients.forEach((gradient, index) => {
      backend.write(t.grad, gradient);
      backend.adamw({ ...t, ...hyperparameters, step: index + 1 });
    });
  });
}

describe('adamw (reference values)', () => {
  it('first step moves each parameter by lr·sign(g) after the decoupled decay', () => {
    const param = Float32Array.from([1, -2, 0.5, 3]);
    const gradient = Float32Array.from([0.3, -0.01, 2, -40]);
    const result = adamw(referenceBackend(), param, [gradient]);
    // m̂ = g and v̂ = g² at step 1, so the update is lr·g/(|g| + eps) ≈ lr·sign(g).
    const expected = Array.from(
      param,
      (value, index) => value * (1 - 0.01 * 0.1) - 0.01 * Math.sign(gradient[index] as number),
    );
    expectClose(result.param, expected, { atol: 1e-7, rtol: 1e-6 });
    expectClose(
      result.m,
      Array.from(gradient, (value) => 0.1 * value),
      { atol: 0, rtol: 1e-6 },
    );
    expectClose(
      result.v,
      Array.from(gradient, (value) => 0.001 * value * value),
      { atol: 0, rtol: 1e-6 },
    );
  });

  it('three steps follow p ← p·(1 − lr·wd) − lr·m̂/(√v̂ + eps) with bias-corrected moments', () => {
    const random = new SeededRandom(51);
    const param = random.floats(6);
    const gradients = [random.floats(6), random.floats(6), random.floats(6)];
    const { lr, beta1, beta2, eps, weightDecay } = HYPERPARAMETERS;
    const expected = Array.from(param, (start, index) => {
      let [p, m, v] = [start, 0, 0];
      gradients.forEach((gradient, stepIndex) => {
        const g = gradient[index] as number;
        const step = stepIndex + 1;
        p -= lr * weightDecay * p;
        m = beta1 * m + (1 - beta1) * g;
        v = beta2 * v + (1 - beta2) * g * g;
        p -= (lr * (m / (1 - beta1 ** step))) / (Math.sqrt(v / (1 - beta2 ** step)) + eps);
      });
      return p;
    });
    // f32 storage of p, m and v between steps.
    expectClose(adamw(referenceBackend(), param, gradients).param, expected, { atol: 1e-6, rtol: 1e-6 });
  });
});

describe.each(backends)('optimizer ops on $name', (backend: Backend) => {
  it('three adamw steps match the reference', () => {
    const random = new SeededRandom(52);
    const param = random.floats(37);
    const gradients = [random.floats(37), random.floats(37, -1e-3, 1e-3), random.floats(37)];
    const expected = adamw(referenceBackend(), param, gradients);
    const actual = adamw(backend, param, gradients);
    // Element-wise f32 arithmetic including a sqrt and a division: a few ulps.
    for (const name of ['param', 'm', 'v'] as const)
      expectClose(actual[name], expected[name], {
        atol: 1e-6,
        rtol: 1e-5,
        label: `adamw ${name} on ${backend.name}`,
      });
  });

  it('sumOfSquares adds over every tensor; scale multiplies in place', () => {
    const first = backend.fromArray([1, 2, 3], [3]);
    const second = backend.fromArray([0.5, -4], [2, 1]);
    // 1 + 4 + 9 + 0.25 + 16
    expect(backend.sumOfSquares([first, second])).toBeCloseTo(30.25, 6);
    backend.scale(first, -0.5);
    expectClose(backend.toArray(first), [-0.5, -1, -1.5], { atol: 0, rtol: 0 });
    second.dispose();
    expect(() => backend.sumOfSquares([first, second])).toThrow(
      'sumOfSquares: tensors[1] [2, 1] was used after dispose()',
    );
    expect(() => backend.scale(first, Number.NaN)).toThrow('scale: factor = NaN');
  });

  it('rejects bad hyperparameters and aliased state', () => {
    const tensors = {
      param: backend.zeros([4]),
      grad: backend.zeros([4]),
      m: backend.zeros([4]),
      v: backend.zeros([4]),
    };
    expect(() => backend.adamw({ ...tensors, ...HYPERPARAMETERS, step: 0 })).toThrow(
      'adamw: step = 0 must be an integer in [1, ∞)',
    );
    expect(() => backend.adamw({ ...tensors, ...HYPERPARAMETERS, beta2: 1, step: 1 })).toThrow(
      'adamw: beta2 = 1 must be a finite number in [0, 1)',
    );
    expect(() => backend.adamw({ ...tensors, m: tensors.v, ...HYPERPARAMETERS, step: 1 })).toThrow(
      'adamw: m [4] shares its memory with v',
    );
    expect(() =>
      backend.adamw({ ...tensors, grad: backend.zeros([5]), ...HYPERPARAMETERS, step: 1 }),
    ).toThrow('adamw: grad has shape [5], expected [4] for param [4]');
  });
});
