import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import {
  backendsPresent,
  expectClose,
  referenceBackend,
  SeededRandom,
  withTensors,
} from '../testing/index.js';

const backends = await backendsPresent();
const [OUT, IN, R, SCALE] = [5, 7, 3, 0.75];

function merge(
  backend: Backend,
  weight: Float32Array,
  loraA: Float32Array,
  loraB: Float32Array,
  fanInFanOut: boolean,
): Float32Array {
  return withTensors(
    backend,
    {
      weight: { values: weight, shape: fanInFanOut ? [IN, OUT] : [OUT, IN] },
      loraA: { values: loraA, shape: [R, IN] },
      loraB: { values: loraB, shape: [OUT, R] },
    },
    (t) => backend.merge({ ...t, scale: SCALE, fanInFanOut }),
  ).weight;
}

const random = new SeededRandom(61);
const weight = random.floats(OUT * IN);
const loraA = random.floats(R * IN);
const loraB = random.floats(OUT * R);

describe('merge (reference values)', () => {
  it('adds s·B·A, transposed for fan-in-fan-out weights', () => {
    const reference = referenceBackend();
    const product = withTensors(
      reference,
      { b: { values: loraB, shape: [OUT, R] }, a: { values: loraA, shape: [R, IN] }, out: [OUT, IN] },
      (t) => reference.matmul(t.out, t.b, t.a),
    ).out;
    const expected = weight.map((value, index) => value + SCALE * (product[index] as number));
    // One f32 rounding of the product in the composition.
    expectClose(merge(reference, weight, loraA, loraB, false), expected, { atol: 1e-6, rtol: 1e-6 });
    const transposed = new Float32Array(OUT * IN);
    for (let o = 0; o < OUT; o++)
      for (let i = 0; i < IN; i++) transposed[i * OUT + o] = weight[o * IN + i] as number;
    const merged = merge(reference, transposed, loraA, loraB, true);
    for (let o = 0; o < OUT; o++)
      for (let i = 0; i < IN; i++) expect(merged[i * OUT + o]).toBeCloseTo(expected[o * IN + i] as number, 6);
  });
});

describe.each(backends)('merge on $name', (backend: Backend) => {
  it.each([false, true])('fanInFanOut = %s matches the reference', (fanInFanOut) => {
    // Sums of 3 products in f32.
    expectClose(
      merge(backend, weight, loraA, loraB, fanInFanOut),
      merge(referenceBackend(), weight, loraA, loraB, fanInFanOut),
      { atol: 1e-6, rtol: 1e-6 },
    );
  });

  it('rejects a weight that does not match the factors', () => {
    expect(() =>
      backend.merge({
        weight: backend.zeros([IN, OUT]),
        loraA: backend.zeros([R, IN]),
        loraB: backend.zeros([OUT, R]),
        scale: 1,
      }),
    ).toThrow(
      `merge: weight has shape [${IN}, ${OUT}], expected [${OUT}, ${IN}] for loraA [${R}, ${IN}], loraB [${OUT}, ${R}]`,
    );
  });
});
