import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { dropoutFactor } from '../dropout-mask.js';
import type { DropoutOptions } from '../ops.js';
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

/** Host inputs of one LoRA layer: x [T, in], W [out, in], b [out], A [r, in], B [out, r], dy [T, out]. */
function layer(
  T: number,
  inFeatures: number,
  outFeatures: number,
  r: number,
  seed: number,
): Record<'x' | 'weight' | 'bias' | 'loraA' | 'loraB' | 'dy', Float32Array> {
  const random = new SeededRandom(seed);
  return {
    x: random.floats(T * inFeatures),
    weight: random.floats(outFeatures * inFeatures, -0.5, 0.5),
    bias: random.floats(outFeatures),
    loraA: random.floats(r * inFeatures, -0.5, 0.5),
    loraB: random.floats(outFeatures * r, -0.5, 0.5),
    dy: random.floats(T * outFeatures),
  };
}

const [T, IN, OUT, R, SCALE] = [6, 10, 8, 3, 1.75];
const DROPOUT: DropoutOptions = { probability: 0.3, seed: 1234 };

function forward(
  backend: Backend,
  values: ReturnType<typeof layer>,
  dropout?: DropoutOptions,
): Record<'out' | 'shrink', Float32Array> {
  return withTensors(
    backend,
    {
      x: { values: values.x, shape: [T, IN] },
      weight: { values: values.weight, shape: [OUT, IN] },
      bias: { values: values.bias, shape: [OUT] },
      loraA: { values: values.loraA, shape: [R, IN] },
      loraB: { values: values.loraB, shape: [OUT, R] },
      out: [T, OUT],
      shrink: [T, R],
    },
    (t) => backend.loraLinearForward({ ...t, scale: SCALE, ...(dropout ? { dropout } : {}) }),
  );
}

type Gradients = Record<'dx' | 'dA' | 'dB' | 'dWeight' | 'dBias', Float32Array>;

/** Forward then backward on `backend`, gradients starting from `initial` (accumulate) or zeros. */
function backward(
  backend: Backend,
  values: ReturnType<typeof layer>,
  dropout?: DropoutOptions,
  initial?: Gradients,
): Gradients {
  const shrink = forward(backend, values, dropout).shrink;
  const start = (name: keyof Gradients, shape: number[]): { values: Float32Array; shape: number[] } => ({
    values: initial?.[name] ?? new Float32Array(shape.reduce((product, dimension) => product * dimension, 1)),
    shape,
  });
  const result = withTensors(
    backend,
    {
      dy: { values: values.dy, shape: [T, OUT] },
      x: { values: values.x, shape: [T, IN] },
      weight: { values: values.weight, shape: [OUT, IN] },
      loraA: { values: values.loraA, shape: [R, IN] },
      loraB: { values: values.loraB, shape: [OUT, R] },
      shrink: { values: shrink, shape: [T, R] },
      dx: start('dx', [T, IN]),
      dA: start('dA', [R, IN]),
      dB: start('dB', [OUT, R]),
      dWeight: start('dWeight', [OUT, IN]),
      dBias: start('dBias', [OUT]),
    },
    (t) =>
      backend.loraLinearBackward({
        ...t,
        scale: SCALE,
        ...(dropout ? { dropout } : {}),
        accumulate: initial !== undefined,
      }),
  );
  return { dx: result.dx, dA: result.dA, dB: result.dB, dWeight: result.dWeight, dBias: result.dBias };
}

describe('loraLinearForward (reference values)', () => {
  it('equals x·Wᵀ + b + s·((x·Aᵀ)·Bᵀ) built from reference matmuls', () => {
    const reference = referenceBackend();
    const values = layer(T, IN, OUT, R, 1);
    const fused = forward(reference, values);
    const composed = withTensors(
      reference,
      {
        x: { values: values.x, shape: [T, IN] },
        weight: { values: values.weight, shape: [OUT, IN] },
        loraA: { values: values.loraA, shape: [R, IN] },
        loraB: { values: values.loraB, shape: [OUT, R] },
        base: [T, OUT],
        shrink: [T, R],
        delta: [T, OUT],
      },
      (t) => {
        reference.matmul(t.base, t.x, t.weight, { transposeB: true });
        reference.matmul(t.shrink, t.x, t.loraA, { transposeB: true });
        reference.matmul(t.delta, t.shrink, t.loraB, { transposeB: true });
      },
    );
    const expected = composed.base.map(
      (value, index) =>
        value + (values.bias[index % OUT] as number) + SCALE * (composed.delta[index] as number),
    );
    // The composition rounds shrink and the two products to f32: a few ulps.
    expectClose(fused.out, expected, { atol: 1e-6, rtol: 1e-5, shape: [T, OUT] });
    expectClose(fused.shrink, composed.shrink, { atol: 1e-7, rtol: 1e-6 });
  });

  it('drops inputs of the adapter path only, by the shared mask, scaling kept ones by 1/(1−p)', () => {
    const reference = referenceBackend();
    const values = layer(T, IN, OUT, R, 2);
    const masked = {
      ...values,
      x: values.x.map((value, index) => value * dropoutFactor(DROPOUT.seed, index, DROPOUT.probability)),
    };
    const withDropout = forward(reference, values, DROPOUT);
    // shrink = dropout(x)·Aᵀ: exactly the shrink of the masked input, computed without dropout.
    expectClose(withDropout.shrink, forward(reference, masked).shrink, { atol: 1e-6, rtol: 1e-6 });
    const kept = Array.from({ length: 100_000 }, (_, index) =>
      dropoutFactor(DROPOUT.seed, index, DROPOUT.probability),
    ).filter((factor) => factor > 0).length;
    // Binomial(1e5, 0.7): standard deviation ≈ 145, so ±1000 is a 7σ band.
    expect(Math.abs(kept - 70_000)).toBeLessThan(1000);
  });
});

describe.each(backends)('loraLinear on $name', (backend: Backend) => {
  it.each([
    ['without dropout', undefined],
    ['with dropout', DROPOUT],
  ] as const)('forward %s matches the reference', (_, dropout) => {
    const values = layer(T, IN, OUT, R, 3);
    const expected = forward(referenceBackend(), values, dropout);
    const actual = forward(backend, values, dropout);
    // f32 sums of ≤ 10 products of size ≤ 1 against fp64.
    expectClose(actual.out, expected.out, {
      atol: 1e-5,
      rtol: 1e-5,
      label: `out on ${backend.name}`,
      shape: [T, OUT],
    });
    expectClose(actual.shrink, expected.shrink, {
      atol: 1e-5,
      rtol: 1e-5,
      label: `shrink on ${backend.name}`,
      shape: [T, R],
    });
  });

  it('computes a plain linear layer without loraA/loraB', () => {
    const values = layer(T, IN, OUT, R, 4);
    const run = (target: Backend): Float32Array =>
      withTensors(
        target,
        {
          x: { values: values.x, shape: [T, IN] },
          weight: { values: values.weight, shape: [OUT, IN] },
          out: [T, OUT],
        },
        (t) => target.loraLinearForward(t),
      ).out;
    expectClose(run(backend), run(referenceBackend()), {
      atol: 1e-5,
      rtol: 1e-5,
      label: `plain linear on ${backend.name}`,
    });
  });

  it.each([
    ['without dropout', undefined],
    ['with dropout', DROPOUT],
  ] as const)('backward %s matches the reference, overwriting and accumulating', (_, dropout) => {
    const values = layer(T, IN, OUT, R, 5);
    const initial = backward(referenceBackend(), layer(T, IN, OUT, R, 6), dropout);
    for (const start of [undefined, initial]) {
      const expected = backward(referenceBackend(), values, dropout, start);
      const actual = backward(backend, values, dropout, start);
      for (const name of ['dx', 'dA', 'dB', 'dWeight', 'dBias'] as const) {
        // Sums over T = 6 or out = 8 terms of size ≤ 2 in f32 against fp64.
        expectClose(actual[name], expected[name], {
          atol: 1e-5,
          rtol: 1e-5,
          label: `${name} on ${backend.name}${start ? ' (accumulate)' : ''}`,
        });
      }
    }
  });

  it('names the op and shapes in its errors', () => {
    const x = backend.zeros([T, IN]);
    const weight = backend.zeros([OUT, IN]);
    const out = backend.zeros([T, OUT]);
    const loraA = backend.zeros([R, IN + 1]);
    const loraB = backend.zeros([OUT, R]);
    expect(() => backend.loraLinearForward({ x, weight, out, loraA, loraB })).toThrow(
      `loraLinearForward: loraA has shape [${R}, ${IN + 1}], expected [${R}, ${IN}] for x [${T}, ${IN}], weight [${OUT}, ${IN}], loraA [${R}, ${IN + 1}]`,
    );
    expect(() => backend.loraLinearForward({ x, weight, out, loraA })).toThrow(
      'loraLinearForward: pass both loraA and loraB',
    );
    const goodA = backend.zeros([R, IN]);
    expect(() =>
      backend.loraLinearForward({
        x,
        weight,
        out,
        loraA: goodA,
        loraB,
        dropout: { probability: 1, seed: 0 },
      }),
    ).toThrow('loraLinearForward: dropout.probability = 1 must be a finite number in [0, 1)');
    expect(() =>
      backend.loraLinearForward({
        x,
        weight,
        out,
        loraA: goodA,
        loraB,
        dropout: { probability: -0.1, seed: 0 },
      }),
    ).toThrow('dropout.probability = -0.1');
    expect(() =>
      backend.loraLinearForward({
        x,
        weight,
        out,
        loraA: goodA,
        loraB,
        dropout: { probability: 0.1, seed: 1.5 },
      }),
    ).toThrow('loraLinearForward: dropout.seed = 1.5 must be an integer in [0, 4294967296)');
    expect(() =>
      backend.loraLinearBackward({ dy: out, x, weight, loraA: goodA, loraB, dB: backend.zeros([OUT, R]) }),
    ).toThrow(`loraLinearBackward: dB needs the shrink [${T}, ${R}] saved by loraLinearForward`);
    expect(() => backend.loraLinearForward({ x, weight: backend.zeros([OUT, IN + 2]), out })).toThrow(
      `loraLinearForward: weight [${OUT}, ${IN + 2}] does not take x [${T}, ${IN}]`,
    );
  });
});

describe('loraLinearBackward finite differences (reference)', () => {
  // Small layer; L = Σ dy ⊙ y with y the forward output. Central differences with h = 1e-3 on f32 inputs and
  // outputs: the f32 rounding of y (|y| ≲ 3, 24 outputs) over 2h gives errors around 1e-4.
  const [t, inFeatures, outFeatures, r, scale] = [3, 4, 4, 2, 1.5];
  const values = layer(t, inFeatures, outFeatures, r, 9);
  const dy = values.dy;
  const loss = (
    inputs: Partial<Record<'x' | 'weight' | 'bias' | 'loraA' | 'loraB', Float32Array>>,
    dropout?: DropoutOptions,
  ): number => {
    const reference = referenceBackend();
    const all = { ...values, ...inputs };
    const { out } = withTensors(
      reference,
      {
        x: { values: all.x, shape: [t, inFeatures] },
        weight: { values: all.weight, shape: [outFeatures, inFeatures] },
        bias: { values: all.bias, shape: [outFeatures] },
        loraA: { values: all.loraA, shape: [r, inFeatures] },
        loraB: { values: all.loraB, shape: [outFeatures, r] },
        out: [t, outFeatures],
      },
      (tensors) => reference.loraLinearForward({ ...tensors, scale, ...(dropout ? { dropout } : {}) }),
    );
    return weightedSum(out, dy);
  };

  it.each([
    ['without dropout', undefined],
    ['with dropout', { probability: 0.4, seed: 77 }],
  ] as const)('dx, dA, dB, dWeight and dBias agree with central differences %s', (_, dropout) => {
    const reference = referenceBackend();
    const shrink = withTensors(
      reference,
      {
        x: { values: values.x, shape: [t, inFeatures] },
        weight: { values: values.weight, shape: [outFeatures, inFeatures] },
        loraA: { values: values.loraA, shape: [r, inFeatures] },
        loraB: { values: values.loraB, shape: [outFeatures, r] },
        out: [t, outFeatures],
        shrink: [t, r],
      },
      (tensors) => reference.loraLinearForward({ ...tensors, scale, ...(dropout ? { dropout } : {}) }),
    ).shrink;
    const gradients = withTensors(
      reference,
      {
        dy: { values: dy, shape: [t, outFeatures] },
        x: { values: values.x, shape: [t, inFeatures] },
        weight: { values: values.weight, shape: [outFeatures, inFeatures] },
        loraA: { values: values.loraA, shape: [r, inFeatures] },
        loraB: { values: values.loraB, shape: [outFeatures, r] },
        shrink: { values: shrink, shape: [t, r] },
        dx: [t, inFeatures],
        dA: [r, inFeatures],
        dB: [outFeatures, r],
        dWeight: [outFeatures, inFeatures],
        dBias: [outFeatures],
      },
      (tensors) => reference.loraLinearBackward({ ...tensors, scale, ...(dropout ? { dropout } : {}) }),
    );
    const pairs = [
      ['dx', 'x'],
      ['dA', 'loraA'],
      ['dB', 'loraB'],
      ['dWeight', 'weight'],
      ['dBias', 'bias'],
    ] as const;
    for (const [gradient, input] of pairs) {
      const numeric = finiteDifference((point) => loss({ [input]: point }, dropout), values[input]);
      expectClose(gradients[gradient], numeric, {
        atol: 1e-3,
        rtol: 1e-3,
        label: `${gradient} vs finite differences`,
      });
    }
  });
});
