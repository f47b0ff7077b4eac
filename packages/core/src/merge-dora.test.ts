import { describe, expect, it } from 'vitest';
import { mergeDora, unmergeDora } from './merge-dora.js';
import type { DoraFactors } from './merge-dora.js';

function randomMatrix(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

function transpose(matrix: Float32Array, rows: number, cols: number): Float32Array {
  const result = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) result[j * rows + i] = matrix[i * cols + j] as number;
  return result;
}

// W = I₂, ΔW = 2·[1; 0]·[0 1] = [[0, 2], [0, 0]], so W + ΔW = [[1, 2], [0, 1]] with row norms √5 and 1.
const example: DoraFactors = {
  A: Float32Array.from([0, 1]),
  B: Float32Array.from([1, 0]),
  r: 1,
  in: 2,
  out: 2,
  scale: 2,
  magnitude: Float32Array.from([10, 3]),
  name: 'model.layers.0.self_attn.v_proj',
};

describe('mergeDora', () => {
  it('matches a hand-computed case: W′ = (m/‖W+ΔW‖_row)·(W+ΔW)', () => {
    const weight = Float32Array.from([1, 0, 0, 1]);
    const norm = mergeDora(weight, example);
    expect(norm[0]).toBeCloseTo(Math.sqrt(5), 6); // fp32 √5 = 2.2360680
    expect(norm[1]).toBe(1);
    const factor = 10 / Math.sqrt(5); // 2√5 = 4.4721360
    // fp32 results: 7 significant digits, so 1e-6 absolute on values below 10.
    expect(Math.abs((weight[0] as number) - factor)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs((weight[1] as number) - 2 * factor)).toBeLessThanOrEqual(1e-6);
    expect(Array.from(weight.subarray(2))).toEqual([0, 3]);
  });

  it('norms per output feature (a column) and scales columns when W is [in, out] (fanInFanOut)', () => {
    const weight = randomMatrix(5 * 3, 11); // normal layout [out 5, in 3]
    const dora: DoraFactors = {
      A: randomMatrix(2 * 3, 12),
      B: randomMatrix(5 * 2, 13),
      r: 2,
      in: 3,
      out: 5,
      scale: 1.5,
      magnitude: randomMatrix(5, 14),
    };
    const normal = weight.slice();
    const normalNorm = mergeDora(normal, dora);
    const stored = transpose(weight, 5, 3); // [in 3, out 5]
    const transposedNorm = mergeDora(stored, { ...dora, fanInFanOut: true });
    const back = transpose(stored, 3, 5);
    // Same sums in another order: a few fp32 ulps.
    back.forEach((value, index) =>
      expect(Math.abs(value - (normal[index] as number))).toBeLessThanOrEqual(1e-6),
    );
    transposedNorm.forEach((value, index) =>
      expect(Math.abs(value - (normalNorm[index] as number))).toBeLessThanOrEqual(1e-6),
    );
  });

  it('leaves W as it is at DoRA initialisation (B = 0, m = ‖W‖_row)', () => {
    const weight = randomMatrix(4 * 6, 21);
    const magnitude = Float32Array.from({ length: 4 }, (_, o) =>
      Math.hypot(...weight.subarray(o * 6, o * 6 + 6)),
    );
    const original = weight.slice();
    mergeDora(weight, {
      A: randomMatrix(3 * 6, 22),
      B: new Float32Array(4 * 3),
      r: 3,
      in: 6,
      out: 4,
      scale: 2,
      magnitude,
    });
    // m/‖W‖ = 1 up to fp32 rounding of the norm: |W| < 1, so 1e-6 absolute.
    weight.forEach((value, index) =>
      expect(Math.abs(value - (original[index] as number))).toBeLessThanOrEqual(1e-6),
    );
  });

  it('unmerges with the returned norms back to W within 1e-6 (both layouts)', () => {
    const dora: DoraFactors = {
      A: randomMatrix(4 * 24, 31),
      B: randomMatrix(16 * 4, 32).map((value) => value * 0.05),
      r: 4,
      in: 24,
      out: 16,
      scale: 2,
      magnitude: randomMatrix(16, 33).map((value) => 2 + value),
    };
    const original = randomMatrix(16 * 24, 34);
    for (const fanInFanOut of [false, true]) {
      const weight = original.slice();
      const norm = mergeDora(weight, { ...dora, fanInFanOut });
      unmergeDora(weight, { ...dora, fanInFanOut }, norm);
      // Three fp32 roundings of values below ~5: a few 1e-7.
      weight.forEach((value, index) =>
        expect(Math.abs(value - (original[index] as number))).toBeLessThanOrEqual(1e-6),
      );
    }
  });

  it('refuses an all-zero row of W+ΔW (0/0) with NON_FINITE and leaves W untouched', () => {
    const weight = Float32Array.from([1, 0, 0, 0]);
    const noDelta = { ...example, B: Float32Array.from([0, 0]) };
    expect(() => mergeDora(weight, noDelta)).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
    expect(() => mergeDora(weight, noDelta)).toThrow(
      /v_proj: DoRA factor magnitude\/norm is Infinity for output feature 1/,
    );
    expect(Array.from(weight)).toEqual([1, 0, 0, 0]);
  });

  it('refuses lora_bias (PEFT does too), a wrong magnitude size and a zero magnitude on unmerge', () => {
    const weight = Float32Array.from([1, 0, 0, 1]);
    expect(() => mergeDora(weight, { ...example, bias: Float32Array.from([0, 0]) })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => mergeDora(weight, { ...example, magnitude: new Float32Array(3) })).toThrow(
      /lora_magnitude_vector has 3 values, expected out = 2/,
    );
    expect(() =>
      unmergeDora(weight, { ...example, magnitude: Float32Array.from([0, 1]) }, Float32Array.from([1, 1])),
    ).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
  });
});
