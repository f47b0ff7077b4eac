import { describe, expect, it } from 'vitest';
import { combineLora } from './combine-adapters.js';
import type { CombinedLora, WeightedLora } from './combine-adapters.js';
import { loraDelta } from './lora-delta.js';
import { truncatedSvd } from './svd.js';

function randomMatrix(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

const IN = 12;
const OUT = 10;

function adapter(r: number, scale: number, weight: number, seed: number): WeightedLora {
  return { A: randomMatrix(r * IN, seed), B: randomMatrix(OUT * r, seed + 1), r, scale, weight };
}

/** Σ w_i·s_i·B_i·A_i in fp64. */
function weightedSum(adapters: readonly WeightedLora[]): Float64Array {
  const sum = new Float64Array(OUT * IN);
  for (const item of adapters) {
    const delta = loraDelta({ ...item, in: IN, out: OUT, scale: item.scale * item.weight });
    delta.forEach((value, index) => (sum[index] = (sum[index] as number) + value));
  }
  return sum;
}

function product(combined: CombinedLora): Float64Array {
  const result = new Float64Array(OUT * IN);
  for (let o = 0; o < OUT; o++) {
    for (let i = 0; i < IN; i++) {
      let sum = 0;
      for (let k = 0; k < combined.r; k++)
        sum += (combined.B[o * combined.r + k] as number) * (combined.A[k * IN + i] as number);
      result[o * IN + i] = sum;
    }
  }
  return result;
}

function maxDifference(left: Float64Array, right: Float64Array): number {
  return Math.max(...left.map((value, index) => Math.abs(value - (right[index] as number))));
}

// Ranks 2, 3, 4; a plain scale (alpha/r = 16/2), an rsLoRA scale (16/√3) and a negative weight.
const mixed = [adapter(2, 8, 0.7, 10), adapter(3, 16 / Math.sqrt(3), -0.4, 20), adapter(4, 1, 1.5, 30)];

describe('combineLora', () => {
  it('cat reproduces Σ w_i·s_i·B_i·A_i within 1e-5 with rank Σ r_i and scale 1', () => {
    const combined = combineLora(mixed, { method: 'cat', in: IN, out: OUT });
    expect(combined.r).toBe(9);
    expect(combined.scale).toBe(1);
    // Deltas of order 10 in fp32: ~1e-6 rounding.
    expect(maxDifference(product(combined), weightedSum(mixed))).toBeLessThanOrEqual(1e-5);
  });

  it('svd at full rank (9) reproduces the weighted sum within 1e-4', () => {
    const combined = combineLora(mixed, { method: 'svd', rank: 9, in: IN, out: OUT });
    expect(combined.r).toBe(9);
    expect(maxDifference(product(combined), weightedSum(mixed))).toBeLessThanOrEqual(1e-4);
  });

  it('svd at rank 3 is the best rank-3 approximation: ‖error‖_F = √(Σ dropped σ²)', () => {
    const target = weightedSum(mixed);
    const singular = truncatedSvd(Float32Array.from(target), OUT, IN, 9).S;
    for (const rank of [3, undefined]) {
      const combined = combineLora(mixed, {
        method: 'svd',
        ...(rank === undefined ? {} : { rank }),
        in: IN,
        out: OUT,
      });
      const kept = rank ?? 4; // default: the largest input rank
      expect(combined.r).toBe(kept);
      const approximation = product(combined);
      let error = 0;
      target.forEach((value, index) => (error += (value - (approximation[index] as number)) ** 2));
      let dropped = 0;
      for (let t = kept; t < 9; t++) dropped += (singular[t] as number) ** 2;
      // Eckart–Young: equal up to fp32 rounding of σ (1e-4 relative).
      expect(Math.abs(Math.sqrt(error) - Math.sqrt(dropped))).toBeLessThanOrEqual(1e-4 * Math.sqrt(dropped));
    }
  });

  it('linear differs from the weighted sum by exactly the cross terms Σ_{i≠j} c_i·c_j·sign_j·B_i·A_j', () => {
    const same = [adapter(3, 8, 0.7, 40), adapter(3, 16 / Math.sqrt(3), -0.4, 50), adapter(3, 2, 1.5, 60)];
    const combined = combineLora(same, { method: 'linear', in: IN, out: OUT });
    expect(combined.r).toBe(3);
    const coefficients = same.map((item) => Math.sqrt(Math.abs(item.weight * item.scale)));
    const signs = same.map((item) => Math.sign(item.weight * item.scale));
    const cross = new Float64Array(OUT * IN);
    same.forEach((left, i) =>
      same.forEach((right, j) => {
        if (i === j) return;
        const term = loraDelta({
          A: right.A,
          B: left.B,
          r: 3,
          in: IN,
          out: OUT,
          scale: (coefficients[i] as number) * (coefficients[j] as number) * (signs[j] as number),
        });
        term.forEach((value, index) => (cross[index] = (cross[index] as number) + value));
      }),
    );
    const difference = product(combined).map((value, index) => value - (weightedSum(same)[index] as number));
    expect(Math.max(...cross.map(Math.abs))).toBeGreaterThan(1); // the cross terms are not negligible
    expect(maxDifference(difference, cross)).toBeLessThanOrEqual(1e-5);
  });

  it('linear of one adapter is that adapter exactly (no cross terms)', () => {
    const single = [adapter(2, 4, -0.5, 70)];
    const combined = combineLora(single, { method: 'linear', in: IN, out: OUT });
    expect(maxDifference(product(combined), weightedSum(single))).toBeLessThanOrEqual(1e-5);
  });

  it('rejects unequal ranks for linear, no adapters, a bad svd rank, a bad weight and wrong sizes', () => {
    expect(() => combineLora(mixed, { method: 'linear', in: IN, out: OUT })).toThrow(
      /same rank, got r = 2 and r = 3/,
    );
    expect(() => combineLora([], { method: 'cat', in: IN, out: OUT })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => combineLora(mixed, { method: 'svd', rank: 11, in: IN, out: OUT })).toThrow(
      /rank 11 must be an integer in 1\.\.min\(in, out\) = 10/,
    );
    expect(() =>
      combineLora([{ ...adapter(2, 1, Number.NaN, 80), name: 'style' }], { method: 'cat', in: IN, out: OUT }),
    ).toThrow(/style has weight NaN/);
    expect(() =>
      combineLora([{ ...adapter(2, 1, 1, 90), name: 'style' }], { method: 'cat', in: IN + 1, out: OUT }),
    ).toThrow(/LoRA module style: lora_A has 24 values, expected r·in = 2·13 = 26/);
  });
});
