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
const SHAPE = [3, 7];

function siluMul(
  backend: Backend,
  gate: ArrayLike<number>,
  up: ArrayLike<number>,
  shape = SHAPE,
): Float32Array {
  return withTensors(backend, { gate: { values: gate, shape }, up: { values: up, shape }, out: shape }, (t) =>
    backend.siluMul(t.out, t.gate, t.up),
  ).out;
}

function siluMulBackward(
  backend: Backend,
  gate: Float32Array,
  up: Float32Array,
  dy: Float32Array,
): Record<'dGate' | 'dUp', Float32Array> {
  const { dGate, dUp } = withTensors(
    backend,
    {
      gate: { values: gate, shape: SHAPE },
      up: { values: up, shape: SHAPE },
      dy: { values: dy, shape: SHAPE },
      dGate: SHAPE,
      dUp: SHAPE,
    },
    (t) => backend.siluMulBackward(t),
  );
  return { dGate, dUp };
}

describe('siluMul (reference values)', () => {
  it('is x·σ(x)·up', () => {
    // silu(0) = 0, silu(1) = σ(1) = 0.7310585786, silu(−2) = −2·σ(−2) = −0.2384058440
    expectClose(
      siluMul(referenceBackend(), [0, 1, -2], [5, 2, 1], [3]),
      [0, 2 * 0.7310585786300049, -0.2384058440442351],
      { atol: 1e-7, rtol: 1e-7 },
    );
  });
});

describe.each(backends)('siluMul on $name', (backend: Backend) => {
  const random = new SeededRandom(31);
  const gate = random.floats(21, -6, 6);
  const up = random.floats(21, -2, 2);
  const dy = random.floats(21);

  it('forward and backward match the reference', () => {
    // f32 exp and a few products: a few ulps of values ≲ 12.
    expectClose(siluMul(backend, gate, up), siluMul(referenceBackend(), gate, up), {
      atol: 1e-6,
      rtol: 1e-5,
      label: `siluMul on ${backend.name}`,
    });
    const expected = siluMulBackward(referenceBackend(), gate, up, dy);
    const actual = siluMulBackward(backend, gate, up, dy);
    expectClose(actual.dGate, expected.dGate, { atol: 1e-6, rtol: 1e-5, label: `dGate on ${backend.name}` });
    expectClose(actual.dUp, expected.dUp, { atol: 1e-6, rtol: 1e-5, label: `dUp on ${backend.name}` });
  });

  it('add matches the reference, also in place (out = a)', () => {
    const a = random.floats(21);
    const b = random.floats(21);
    const sum = a.map((value, index) => value + (b[index] as number));
    const separate = withTensors(
      backend,
      { a: { values: a, shape: SHAPE }, b: { values: b, shape: SHAPE }, out: SHAPE },
      (t) => backend.add(t.out, t.a, t.b),
    );
    const inPlace = withTensors(
      backend,
      { a: { values: a, shape: SHAPE }, b: { values: b, shape: SHAPE } },
      (t) => backend.add(t.a, t.a, t.b),
    );
    // One f32 addition, correctly rounded everywhere.
    expectClose(separate.out, sum, { atol: 0, rtol: 0 });
    expectClose(inPlace.a, sum, { atol: 0, rtol: 0 });
    const x = backend.zeros(SHAPE);
    expect(() => backend.add(x, backend.zeros(SHAPE), x)).toThrow(
      'add: out [3, 7] shares its memory with b; outputs may not alias other arguments (allowed: out = a)',
    );
    expect(() => backend.siluMul(x, x, backend.zeros(SHAPE))).toThrow(
      'siluMul: out [3, 7] shares its memory with gate',
    );
    expect(() => backend.siluMul(x, backend.zeros(SHAPE), backend.zeros([7, 3]))).toThrow(
      'siluMul: up has shape [7, 3], expected [3, 7] for gate [3, 7]',
    );
  });
});

describe('siluMulBackward finite differences (reference)', () => {
  it('dGate and dUp are the gradients of L = Σ dy ⊙ silu(gate)·up', () => {
    const random = new SeededRandom(32);
    const gate = random.floats(21, -4, 4);
    const up = random.floats(21, -2, 2);
    const dy = random.floats(21);
    const { dGate, dUp } = siluMulBackward(referenceBackend(), gate, up, dy);
    // 21 outputs ≲ 8 rounded to f32, over 2h: ~1e-4.
    expectClose(
      dGate,
      finiteDifference((point) => weightedSum(siluMul(referenceBackend(), point, up), dy), gate),
      { atol: 5e-4, rtol: 1e-3, label: 'dGate' },
    );
    expectClose(
      dUp,
      finiteDifference((point) => weightedSum(siluMul(referenceBackend(), gate, point), dy), up),
      { atol: 5e-4, rtol: 1e-3, label: 'dUp' },
    );
  });
});
