import { describe, expect, it } from 'vitest';
import { truncatedSvd } from './svd.js';
import type { SvdResult } from './svd.js';

function randomMatrix(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** max |U·diag(S)·Vᵀ − M|. */
function reconstructionError(
  result: SvdResult,
  matrix: Float32Array,
  rows: number,
  cols: number,
  k: number,
): number {
  let worst = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let t = 0; t < k; t++)
        sum += (result.U[i * k + t] as number) * (result.S[t] as number) * (result.V[j * k + t] as number);
      worst = Math.max(worst, Math.abs(sum - (matrix[i * cols + j] as number)));
    }
  }
  return worst;
}

/** max |QᵀQ − I| for Q [rows, k]. */
function orthonormalityError(Q: Float32Array, rows: number, k: number): number {
  let worst = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += (Q[i * k + a] as number) * (Q[i * k + b] as number);
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

describe('truncatedSvd', () => {
  it('sorts the absolute values of a diagonal matrix: diag(3, −5, 1) → 5, 3, 1', () => {
    const matrix = Float32Array.from([3, 0, 0, 0, -5, 0, 0, 0, 1]);
    const result = truncatedSvd(matrix, 3, 3, 3);
    expect(Array.from(result.S)).toEqual([5, 3, 1]); // exact: no rotation is needed
    expect(reconstructionError(result, matrix, 3, 3, 3)).toBeLessThanOrEqual(1e-6);
  });

  it('finds σ = ‖u‖·‖v‖ = 15 for the rank-1 outer product [1, 2, 2]ᵀ·[3, 4], and σ₂ = 0', () => {
    const matrix = Float32Array.from([3, 4, 6, 8, 6, 8]);
    const result = truncatedSvd(matrix, 3, 2, 2);
    expect(Math.abs((result.S[0] as number) - 15)).toBeLessThanOrEqual(1e-5); // fp32 of 15: ulps of 1e-6
    expect(result.S[1] as number).toBeLessThanOrEqual(1e-6);
    const sign = Math.sign(result.U[0] as number);
    [1 / 3, 2 / 3, 2 / 3].forEach((value, i) =>
      expect(Math.abs(sign * (result.U[i * 2] as number) - value)).toBeLessThanOrEqual(1e-6),
    );
    [0.6, 0.8].forEach((value, j) =>
      expect(Math.abs(sign * (result.V[j * 2] as number) - value)).toBeLessThanOrEqual(1e-6),
    );
    // The null direction is completed: U and V stay orthonormal.
    expect(orthonormalityError(result.U, 3, 2)).toBeLessThanOrEqual(1e-6);
    expect(orthonormalityError(result.V, 2, 2)).toBeLessThanOrEqual(1e-6);
  });

  it('gives 5 and 3 for the textbook [[3, 2, 2], [2, 3, −2]] and its 3×2 transpose', () => {
    const wide = Float32Array.from([3, 2, 2, 2, 3, -2]);
    const tall = Float32Array.from([3, 2, 2, 3, 2, -2]);
    for (const [matrix, rows, cols] of [
      [wide, 2, 3],
      [tall, 3, 2],
    ] as const) {
      const result = truncatedSvd(matrix, rows, cols, 2);
      expect(Math.abs((result.S[0] as number) - 5)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs((result.S[1] as number) - 3)).toBeLessThanOrEqual(1e-6);
      expect(reconstructionError(result, matrix, rows, cols, 2)).toBeLessThanOrEqual(1e-6);
    }
    // Truncated to k = 1 the error is the dropped σ₂ = 3 in the spectral norm: max element ≤ 3.
    const first = truncatedSvd(wide, 2, 3, 1);
    expect(Array.from(first.S)).toHaveLength(1);
    expect(reconstructionError(first, wide, 2, 3, 1)).toBeLessThanOrEqual(3 + 1e-6);
  });

  it('reconstructs a random 7×5 matrix within 1e-6 with orthonormal factors', () => {
    const matrix = randomMatrix(35, 5);
    const result = truncatedSvd(matrix, 7, 5, 5);
    expect(reconstructionError(result, matrix, 7, 5, 5)).toBeLessThanOrEqual(1e-6);
    expect(orthonormalityError(result.U, 7, 5)).toBeLessThanOrEqual(1e-6);
    expect(orthonormalityError(result.V, 5, 5)).toBeLessThanOrEqual(1e-6);
    for (let t = 1; t < 5; t++) expect(result.S[t] as number).toBeLessThanOrEqual(result.S[t - 1] as number);
  });

  it('rejects a rank above min(rows, cols), a wrong size and NaN', () => {
    expect(() => truncatedSvd(new Float32Array(6), 2, 3, 3)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => truncatedSvd(new Float32Array(5), 2, 3, 1)).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH' }),
    );
    expect(() => truncatedSvd(Float32Array.from([1, Number.NaN]), 1, 2, 1)).toThrow(
      expect.objectContaining({ code: 'NON_FINITE' }),
    );
  });
});
