import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import {
  backendsPresent,
  expectClose,
  finiteDifference,
  referenceBackend,
  SeededRandom,
  weightedSum,
  withTensors,
} from '../testing/index.js';

const backends = await backendsPresent();

const [B, T, H, EPS] = [2, 3, 8, 1e-5];

describe('rmsNorm (reference values)', () => {
  it('divides by the root mean square and multiplies by the weight', () => {
    const reference = referenceBackend();
    const result = withTensors(
      reference,
      {
        x: { values: [3, 4], shape: [1, 2] },
        weight: { values: [1, 2], shape: [2] },
        out: [1, 2],
        rstd: [1],
      },
      (t) => reference.rmsNorm(t.out, t.x, t.weight, 0, t.rstd),
    );
    // rms([3, 4]) = √12.5
    const inverse = 1 / Math.sqrt(12.5);
    expectClose(result.out, [3 * inverse, 8 * inverse], { atol: 0, rtol: 1e-7 });
    expectClose(result.rstd, [inverse], { atol: 0, rtol: 1e-7 });
  });
});

function forward(
  backend: Backend,
  x: Float32Array,
  weight: Float32Array,
): Record<'out' | 'rstd', Float32Array> {
  const { out, rstd } = withTensors(
    backend,
    {
      x: { values: x, shape: [B, T, H] },
      weight: { values: weight, shape: [H] },
      out: [B, T, H],
      rstd: [B, T],
    },
    (t) => backend.rmsNorm(t.out, t.x, t.weight, EPS, t.rstd),
  );
  return { out, rstd };
}

function backward(
  backend: Backend,
  x: Float32Array,
  weight: Float32Array,
  dy: Float32Array,
  dWeightStart?: Float32Array,
): Record<'dx' | 'dWeight', Float32Array> {
  const { rstd } = forward(referenceBackend(), x, weight);
  const { dx, dWeight } = withTensors(
    backend,
    {
      x: { values: x, shape: [B, T, H] },
      weight: { values: weight, shape: [H] },
      dy: { values: dy, shape: [B, T, H] },
      rstd: { values: rstd, shape: [B, T] },
      dx: [B, T, H],
      dWeight: dWeightStart ? { values: dWeightStart, shape: [H] } : [H],
    },
    (t) => backend.rmsNormBackward({ ...t, accumulate: dWeightStart !== undefined }),
  );
  return { dx, dWeight };
}

describe.each(backends)('rmsNorm on $name', (backend: Backend) => {
  const random = new SeededRandom(21);
  const x = random.floats(B * T * H, -2, 2);
  const weight = random.floats(H, 0.5, 1.5);
  const dy = random.floats(B * T * H);

  it('forward matches the reference', () => {
    const expected = forward(referenceBackend(), x, weight);
    const actual = forward(backend, x, weight);
    // One f32 sum of 8 squares, a sqrt and two products: a few ulps.
    expectClose(actual.out, expected.out, {
      atol: 1e-6,
      rtol: 1e-5,
      label: `rmsNorm out on ${backend.name}`,
    });
    expectClose(actual.rstd, expected.rstd, {
      atol: 1e-6,
      rtol: 1e-5,
      label: `rmsNorm rstd on ${backend.name}`,
    });
  });

  it('backward matches the reference (dWeight overwritten and accumulated)', () => {
    for (const start of [undefined, random.floats(H)]) {
      const expected = backward(referenceBackend(), x, weight, dy, start);
      const actual = backward(backend, x, weight, dy, start);
      // Sums over H = 8 (dx) or 6 rows (dWeight) in f32.
      expectClose(actual.dx, expected.dx, { atol: 1e-5, rtol: 1e-5, label: `dx on ${backend.name}` });
      expectClose(actual.dWeight, expected.dWeight, {
        atol: 1e-5,
        rtol: 1e-5,
        label: `dWeight on ${backend.name}`,
      });
    }
  });

  it('rejects a weight of the wrong width and an rstd of the wrong size', () => {
    const tensor = backend.zeros([B, T, H]);
    expect(() => backend.rmsNorm(backend.zeros([B, T, H]), tensor, backend.zeros([H + 1]), EPS)).toThrow(
      `rmsNorm: weight has shape [${H + 1}], expected [${H}] for x [${B}, ${T}, ${H}]`,
    );
    expect(() =>
      backend.rmsNorm(backend.zeros([B, T, H]), tensor, backend.zeros([H]), EPS, backend.zeros([B])),
    ).toThrow(
      `rmsNorm: rstd has shape [${B}], expected ${B * T} values (one per row of x [${B}, ${T}, ${H}])`,
    );
    expect(() => backend.rmsNorm(backend.zeros([B, T, H]), tensor, backend.zeros([H]), -1)).toThrow(
      'rmsNorm: eps = -1',
    );
  });
});

describe('rmsNormBackward finite differences (reference)', () => {
  it('dx and dWeight are the gradients of L = Σ dy ⊙ rmsNorm(x, w)', () => {
    const random = new SeededRandom(22);
    const x = random.floats(B * T * H, -2, 2);
    const weight = random.floats(H, 0.5, 1.5);
    const dy = random.floats(B * T * H);
    const { dx, dWeight } = backward(referenceBackend(), x, weight, dy);
    // |y| ≲ 3 over 48 outputs: f32 rounding of L over 2h = 2e-3 gives ~1e-4.
    expectClose(
      dx,
      finiteDifference((point) => weightedSum(forward(referenceBackend(), point, weight).out, dy), x),
      { atol: 1e-3, rtol: 1e-3, label: 'dx' },
    );
    expectClose(
      dWeight,
      finiteDifference((point) => weightedSum(forward(referenceBackend(), x, point).out, dy), weight),
      { atol: 1e-3, rtol: 1e-3, label: 'dWeight' },
    );
  });
});
