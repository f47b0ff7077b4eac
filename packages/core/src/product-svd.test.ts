import { describe, expect, it } from 'vitest';
import { truncatedSvdOfProduct } from './product-svd.js';
import { truncatedSvd } from './svd.js';

function randomMatrix(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

function multiply(
  left: Float32Array,
  right: Float32Array,
  rows: number,
  inner: number,
  cols: number,
): Float32Array {
  const result = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let t = 0; t < inner; t++)
        sum += (left[i * inner + t] as number) * (right[t * cols + j] as number);
      result[i * cols + j] = sum;
    }
  }
  return result;
}

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

describe('truncatedSvdOfProduct', () => {
  it('matches the dense SVD of B·A (40×30, inner 6) without forming it', () => {
    const left = randomMatrix(40 * 6, 1);
    const right = randomMatrix(6 * 30, 2);
    const dense = truncatedSvd(multiply(left, right, 40, 6, 30), 40, 30, 6);
    const factored = truncatedSvdOfProduct({ left, right, rows: 40, inner: 6, cols: 30, k: 6 });
    // Both in fp64, stored fp32: singular values (order 10) agree to a few fp32 ulps, 1e-5 relative.
    factored.S.forEach((value, t) =>
      expect(Math.abs(value - (dense.S[t] as number))).toBeLessThanOrEqual(1e-5 * (dense.S[0] as number)),
    );
    // Vectors agree up to sign: |⟨u_fact, u_dense⟩| = 1.
    for (let t = 0; t < 6; t++) {
      let dot = 0;
      for (let i = 0; i < 40; i++) dot += (factored.U[i * 6 + t] as number) * (dense.U[i * 6 + t] as number);
      expect(Math.abs(Math.abs(dot) - 1)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('pads with zero singular values and orthonormal vectors when k exceeds the rank (inner 2, k 4)', () => {
    const left = randomMatrix(9 * 2, 3);
    const right = randomMatrix(2 * 7, 4);
    const result = truncatedSvdOfProduct({ left, right, rows: 9, inner: 2, cols: 7, k: 4 });
    expect(result.S[1] as number).toBeGreaterThan(0);
    expect(Array.from(result.S.subarray(2))).toEqual([0, 0]);
    expect(orthonormalityError(result.U, 9, 4)).toBeLessThanOrEqual(1e-6);
    expect(orthonormalityError(result.V, 7, 4)).toBeLessThanOrEqual(1e-6);
  });

  it('handles an inner dimension larger than the outer ones (inner 10 > rows 3)', () => {
    const left = randomMatrix(3 * 10, 5);
    const right = randomMatrix(10 * 4, 6);
    const dense = truncatedSvd(multiply(left, right, 3, 10, 4), 3, 4, 3);
    const factored = truncatedSvdOfProduct({ left, right, rows: 3, inner: 10, cols: 4, k: 3 });
    factored.S.forEach((value, t) =>
      expect(Math.abs(value - (dense.S[t] as number))).toBeLessThanOrEqual(1e-5 * (dense.S[0] as number)),
    );
  });

  it('takes a 2048×2048 delta of rank 16 in well under a second', () => {
    const started = performance.now();
    const result = truncatedSvdOfProduct({
      left: randomMatrix(2048 * 16, 7),
      right: randomMatrix(16 * 2048, 8),
      rows: 2048,
      inner: 16,
      cols: 2048,
      k: 8,
    });
    expect(result.U).toHaveLength(2048 * 8);
    expect(performance.now() - started).toBeLessThan(5000); // generous for slow CI machines
  });

  it('rejects factors of the wrong size and a bad inner dimension', () => {
    expect(() =>
      truncatedSvdOfProduct({
        left: new Float32Array(5),
        right: new Float32Array(6),
        rows: 3,
        inner: 2,
        cols: 3,
        k: 1,
      }),
    ).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() =>
      truncatedSvdOfProduct({
        left: new Float32Array(0),
        right: new Float32Array(0),
        rows: 3,
        inner: 0,
        cols: 3,
        k: 1,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
