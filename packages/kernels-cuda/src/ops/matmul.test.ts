import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { HostTensor } from '../host-tensor.js';
import type { MatmulOptions } from '../ops.js';
import {
  backendsPresent,
  expectClose,
  referenceBackend,
  SeededRandom,
  withTensors,
} from '../testing/index.js';

const backends = await backendsPresent();

describe('matmul (reference values)', () => {
  it('multiplies a 2×3 by a 3×2 matrix', () => {
    const reference = referenceBackend();
    const result = withTensors(
      reference,
      {
        a: { values: [1, 2, 3, 4, 5, 6], shape: [2, 3] },
        b: { values: [7, 8, 9, 10, 11, 12], shape: [3, 2] },
        out: [2, 2],
      },
      (t) => reference.matmul(t.out, t.a, t.b),
    );
    // [1 2 3; 4 5 6]·[7 8; 9 10; 11 12] = [58 64; 139 154], exact in f32.
    expectClose(result.out, [58, 64, 139, 154], { atol: 0, rtol: 0 });
  });

  it('applies alpha and beta, and beta = 0 ignores NaN already in out', () => {
    const reference = referenceBackend();
    const scaled = withTensors(
      reference,
      {
        a: { values: [1, 2], shape: [1, 2] },
        b: { values: [3, 4], shape: [2, 1] },
        out: { values: [10], shape: [1, 1] },
      },
      (t) => reference.matmul(t.out, t.a, t.b, { alpha: 2, beta: 0.5 }),
    );
    expectClose(scaled.out, [2 * 11 + 5], { atol: 0, rtol: 0 });
    const fresh = withTensors(
      reference,
      {
        a: { values: [1, 2], shape: [1, 2] },
        b: { values: [3, 4], shape: [2, 1] },
        out: { values: [Number.NaN], shape: [1, 1] },
      },
      (t) => reference.matmul(t.out, t.a, t.b),
    );
    expectClose(fresh.out, [11], { atol: 0, rtol: 0 });
  });
});

interface MatmulCase {
  name: string;
  aShape: number[];
  bShape: number[];
  outShape: number[];
  options: MatmulOptions;
}

const CASES: MatmulCase[] = [
  { name: 'plain', aShape: [5, 7], bShape: [7, 3], outShape: [5, 3], options: {} },
  {
    name: 'b transposed (PyTorch weight)',
    aShape: [6, 16],
    bShape: [9, 16],
    outShape: [6, 9],
    options: { transposeB: true },
  },
  { name: 'a transposed', aShape: [7, 5], bShape: [7, 4], outShape: [5, 4], options: { transposeA: true } },
  {
    name: 'both transposed',
    aShape: [7, 5],
    bShape: [4, 7],
    outShape: [5, 4],
    options: { transposeA: true, transposeB: true },
  },
  { name: 'batched', aShape: [3, 4, 6], bShape: [3, 6, 5], outShape: [3, 4, 5], options: {} },
  {
    name: 'batched a, shared b',
    aShape: [2, 4, 6],
    bShape: [5, 6],
    outShape: [2, 4, 5],
    options: { transposeB: true },
  },
  { name: 'shared a, batched b', aShape: [4, 6], bShape: [2, 6, 5], outShape: [2, 4, 5], options: {} },
  {
    name: 'alpha and beta',
    aShape: [33, 17],
    bShape: [17, 65],
    outShape: [33, 65],
    options: { alpha: 0.5, beta: -2 },
  },
];

describe.each(backends)('matmul on $name', (backend: Backend) => {
  it.each(CASES)('$name matches the reference', ({ aShape, bShape, outShape, options }) => {
    const random = new SeededRandom(7);
    const size = (shape: number[]): number => shape.reduce((product, dimension) => product * dimension, 1);
    const specs = {
      a: { values: random.floats(size(aShape)), shape: aShape },
      b: { values: random.floats(size(bShape)), shape: bShape },
      out: { values: random.floats(size(outShape)), shape: outShape },
    };
    const run = (target: Backend): Record<'a' | 'b' | 'out', Float32Array> =>
      withTensors(target, specs, (t) => target.matmul(t.out, t.a, t.b, options));
    const expected = run(referenceBackend());
    const actual = run(backend);
    // f32 accumulation over K ≤ 17 terms of size ≤ 1 against fp64: a few ulps of the sum.
    expectClose(actual.out, expected.out, {
      atol: 1e-5,
      rtol: 1e-5,
      label: `matmul on ${backend.name}`,
      shape: outShape,
    });
  });

  it('rejects mismatched, disposed and foreign tensors with the op and shapes in the message', () => {
    const a = backend.zeros([2, 3]);
    const b = backend.zeros([4, 2]);
    const out = backend.zeros([2, 2]);
    expect(() => backend.matmul(out, a, b)).toThrow(
      'matmul: inner dimensions differ in a [2, 3] · b [4, 2] (3 vs 4)',
    );
    const foreign = new HostTensor(backend.name === 'reference' ? 'cpu' : 'reference', [3, 2], 'f32');
    expect(() => backend.matmul(out, a, foreign)).toThrow(/matmul: b belongs to the \w+ backend/);
    expect(() => backend.matmul(a, a, backend.zeros([3, 3]))).toThrow(
      'matmul: out [2, 3] shares its memory with a',
    );
    b.dispose();
    expect(() => backend.matmul(out, a, b)).toThrow('matmul: b [4, 2] was used after dispose()');
    const half = backend.zeros([3, 2], 'bf16');
    expect(() => backend.matmul(out, a, half)).toThrow('matmul: b is bf16, expected f32');
    expect(() => backend.matmul(backend.zeros([2, 3]), a, backend.zeros([3, 2]))).toThrow(
      'matmul: out has shape [2, 3], expected [2, 2] for a [2, 3] · b [3, 2]',
    );
  });
});
