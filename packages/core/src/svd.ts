/**
 * Truncated SVD of a small dense matrix, M ≈ U·diag(S)·Vᵀ, by one-sided (Hestenes) Jacobi in fp64.
 *
 * Jacobi rotates pairs of columns of M (of Mᵀ when M is wide) until every pair is orthogonal; the column norms are
 * then the singular values and the normalized columns the left singular vectors, the accumulated rotations V.
 * It is accurate (small singular values included) and O(rows·cols²) per sweep, so it is meant for matrices of a
 * few hundred columns; for a low-rank product B·A use truncatedSvdOfProduct (product-svd.ts).
 *
 * Layouts: U is [rows, k], V is [cols, k] (not Vᵀ), both row-major; S is descending. Singular vectors of zero
 * singular values are completed to an orthonormal set, so U and V always have orthonormal columns.
 */
import { MathError, ShapeError } from './errors.js';

export interface SvdResult {
  /** Left singular vectors, [rows, k] row-major, orthonormal columns. */
  readonly U: Float32Array;
  /** Singular values, [k], descending, ≥ 0. */
  readonly S: Float32Array;
  /** Right singular vectors, [cols, k] row-major (M ≈ U·diag(S)·Vᵀ), orthonormal columns. */
  readonly V: Float32Array;
}

/** The k largest singular triplets of M [rows, cols] (row-major), k ≤ min(rows, cols). */
export function truncatedSvd(matrix: Float32Array, rows: number, cols: number, k: number): SvdResult {
  checkSvdArguments('matrix', rows, cols, k);
  if (matrix.length !== rows * cols) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `truncatedSvd: matrix has ${matrix.length} values, expected rows·cols = ${rows}·${cols} = ${rows * cols}`,
    );
  }
  for (const value of matrix) {
    if (!Number.isFinite(value))
      throw new MathError('NON_FINITE', `truncatedSvd: matrix holds ${value}`, {
        fix: 'remove NaN/Inf before the SVD',
      });
  }
  const full = jacobiSvd64(Float64Array.from(matrix), rows, cols);
  const n = Math.min(rows, cols);
  return {
    U: takeColumns(full.U, rows, n, k),
    S: Float32Array.from(full.S.subarray(0, k)),
    V: takeColumns(full.V, cols, n, k),
  };
}

/** Throws INVALID_ARGUMENT unless rows and cols are positive integers and 1 ≤ k ≤ min(rows, cols). */
export function checkSvdArguments(what: string, rows: number, cols: number, k: number): void {
  if (!Number.isInteger(rows) || rows <= 0 || !Number.isInteger(cols) || cols <= 0) {
    throw new MathError(
      'INVALID_ARGUMENT',
      `truncated SVD of ${what}: rows and cols must be positive integers, got ${rows}×${cols}`,
    );
  }
  if (!Number.isInteger(k) || k < 1 || k > Math.min(rows, cols)) {
    throw new MathError(
      'INVALID_ARGUMENT',
      `truncated SVD of ${what}: rank k = ${k} must be an integer in 1..${Math.min(rows, cols)}`,
      {
        fix: 'ask for at most min(rows, cols) singular values',
      },
    );
  }
}

/**
 * Full thin SVD in fp64 of M [rows, cols] row-major: U [rows, n], S [n] descending, V [cols, n], n = min(rows, cols).
 */
export function jacobiSvd64(
  matrix: Float64Array,
  rows: number,
  cols: number,
): { U: Float64Array; S: Float64Array; V: Float64Array } {
  if (rows < cols) {
    // Wide: the SVD of Mᵀ swaps U and V.
    const transposed = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) transposed[j * rows + i] = matrix[i * cols + j] as number;
    const result = jacobiSvd64(transposed, cols, rows);
    return { U: result.V, S: result.S, V: result.U };
  }
  const m = rows;
  const n = cols;
  // Column-major copies: rotations touch whole columns.
  const G = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) G[j * m + i] = matrix[i * n + j] as number;
  const R = new Float64Array(n * n);
  for (let j = 0; j < n; j++) R[j * n + j] = 1;
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = G[p * m + i] as number;
          const y = G[q * m + i] as number;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(G, m, p, q, c, s);
        rotate(R, n, p, q, c, s);
      }
    }
    if (!rotated) break;
  }
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) norms[j] = euclideanNorm(G.subarray(j * m, (j + 1) * m));
  const order = Array.from({ length: n }, (_, j) => j).sort(
    (a, b) => (norms[b] as number) - (norms[a] as number),
  );
  const U = new Float64Array(m * n);
  const V = new Float64Array(n * n);
  const S = new Float64Array(n);
  const missing: number[] = [];
  order.forEach((source, target) => {
    const sigma = norms[source] as number;
    S[target] = sigma;
    for (let j = 0; j < n; j++) V[j * n + target] = R[source * n + j] as number;
    if (sigma === 0) missing.push(target);
    else for (let i = 0; i < m; i++) U[i * n + target] = (G[source * m + i] as number) / sigma;
  });
  completeOrthonormalColumns(U, m, n, missing);
  return { U, S, V };
}

/**
 * Fills the listed (all-zero) columns of Q [rows, cols] row-major so that its columns are orthonormal, given
 * that the other columns already are: each is the standard basis vector with the largest residual found,
 * orthogonalized twice (classical Gram–Schmidt with one reorthogonalization).
 */
export function completeOrthonormalColumns(
  Q: Float64Array,
  rows: number,
  cols: number,
  missing: readonly number[],
): void {
  const column = new Float64Array(rows);
  const best = new Float64Array(rows);
  let start = 0;
  for (const target of missing) {
    let bestNorm = -1;
    for (let tried = 0; tried < rows && bestNorm < 0.5; tried++) {
      const basis = (start + tried) % rows;
      column.fill(0);
      column[basis] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < cols; j++) {
          let dot = 0;
          for (let i = 0; i < rows; i++) dot += (Q[i * cols + j] as number) * (column[i] as number);
          if (dot !== 0)
            for (let i = 0; i < rows; i++)
              column[i] = (column[i] as number) - dot * (Q[i * cols + j] as number);
        }
      }
      const norm = euclideanNorm(column);
      if (norm > bestNorm) {
        bestNorm = norm;
        best.set(column);
        start = basis + 1;
      }
    }
    for (let i = 0; i < rows; i++) Q[i * cols + target] = (best[i] as number) / bestNorm;
  }
}

/** The first k columns of a [rows, n] row-major fp64 matrix, as fp32. */
export function takeColumns(matrix: Float64Array, rows: number, n: number, k: number): Float32Array {
  const result = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) result[i * k + j] = matrix[i * n + j] as number;
  return result;
}

/** Rotates columns p and q of a column-major matrix with `length` rows: (p, q) ← (c·p − s·q, s·p + c·q). */
function rotate(matrix: Float64Array, length: number, p: number, q: number, c: number, s: number): void {
  for (let i = 0; i < length; i++) {
    const x = matrix[p * length + i] as number;
    const y = matrix[q * length + i] as number;
    matrix[p * length + i] = c * x - s * y;
    matrix[q * length + i] = s * x + c * y;
  }
}

/** ‖x‖₂ (no spread: vectors can be longer than an argument list may be). */
function euclideanNorm(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value * value;
  return Math.sqrt(sum);
}
