/**
 * Truncated SVD of a low-rank product M = L·R without forming M (a LoRA ΔW can be 8192×8192; its rank is ≤ inner).
 *
 *   L [rows, inner] = Q_l·R_l     (thin Householder QR, Q_l [rows, p], p = min(rows, inner))
 *   Rᵀ [cols, inner] = Q_r·R_r    (Q_r [cols, p'])
 *   M = Q_l·(R_l·R_rᵀ)·Q_rᵀ, and the small core C = R_l·R_rᵀ [p, p'] has SVD C = U_c·S·V_cᵀ,
 *   so M = (Q_l·U_c)·S·(Q_r·V_c)ᵀ with orthonormal columns on both sides.
 *
 * Cost O((rows + cols)·inner²) instead of O(rows·cols·inner). Output layouts as in svd.ts: U [rows, k],
 * V [cols, k], S descending. When k exceeds the rank bound min(p, p'), the extra singular values are 0 and their
 * vectors complete U and V to orthonormal sets.
 */
import { MathError, ShapeError } from './errors.js';
import { checkSvdArguments, completeOrthonormalColumns, jacobiSvd64, takeColumns } from './svd.js';
import type { SvdResult } from './svd.js';

export interface ProductSvdInput {
  /** L, [rows, inner] row-major (for ΔW = B·A: B). */
  readonly left: Float32Array;
  /** R, [inner, cols] row-major (for ΔW = B·A: A). */
  readonly right: Float32Array;
  readonly rows: number;
  readonly inner: number;
  readonly cols: number;
  /** How many singular triplets to keep, 1 ≤ k ≤ min(rows, cols). */
  readonly k: number;
}

/** The k largest singular triplets of left·right, computed from the factors. */
export function truncatedSvdOfProduct(input: ProductSvdInput): SvdResult {
  const { rows, inner, cols, k } = input;
  checkSvdArguments('a product', rows, cols, k);
  if (!Number.isInteger(inner) || inner <= 0) {
    throw new MathError(
      'INVALID_ARGUMENT',
      `truncated SVD of a product: inner dimension must be a positive integer, got ${inner}`,
    );
  }
  checkFactor('left', input.left, rows, inner);
  checkFactor('right', input.right, inner, cols);
  // Column-major views: column j of L is strided in row-major L; column j of Rᵀ is row j of R, already contiguous.
  const leftColumns = new Float64Array(rows * inner);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < inner; j++) leftColumns[j * rows + i] = input.left[i * inner + j] as number;
  const left = householderQr(leftColumns, rows, inner);
  const right = householderQr(Float64Array.from(input.right), cols, inner);
  const core = new Float64Array(left.p * right.p);
  for (let i = 0; i < left.p; i++) {
    for (let j = 0; j < right.p; j++) {
      let sum = 0;
      for (let t = 0; t < inner; t++)
        sum += (left.R[i * inner + t] as number) * (right.R[j * inner + t] as number);
      core[i * right.p + j] = sum;
    }
  }
  const small = jacobiSvd64(core, left.p, right.p);
  const q = Math.min(left.p, right.p);
  const kept = Math.min(k, q);
  const U = expand(left.Q, rows, left.p, small.U, q, kept, k);
  const V = expand(right.Q, cols, right.p, small.V, q, kept, k);
  const S = new Float32Array(k);
  S.set(small.S.subarray(0, kept));
  return { U: takeColumns(U, rows, k, k), S, V: takeColumns(V, cols, k, k) };
}

function checkFactor(name: string, values: Float32Array, rows: number, cols: number): void {
  if (values.length !== rows * cols) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `truncated SVD of a product: ${name} factor has ${values.length} values, expected ${rows}·${cols} = ${rows * cols}`,
    );
  }
  for (const value of values) {
    if (!Number.isFinite(value))
      throw new MathError('NON_FINITE', `truncated SVD of a product: ${name} factor holds ${value}`, {
        fix: 'remove NaN/Inf first',
      });
  }
}

/**
 * Q·small[:, :kept] as [rows, k] row-major (Q column-major [rows, p], small row-major [p, q]); columns kept..k−1
 * are completed orthonormally.
 */
function expand(
  Q: Float64Array,
  rows: number,
  p: number,
  small: Float64Array,
  q: number,
  kept: number,
  k: number,
): Float64Array {
  const result = new Float64Array(rows * k);
  for (let c = 0; c < p; c++) {
    for (let i = 0; i < rows; i++) {
      const value = Q[c * rows + i] as number;
      if (value === 0) continue;
      for (let t = 0; t < kept; t++)
        result[i * k + t] = (result[i * k + t] as number) + value * (small[c * q + t] as number);
    }
  }
  const missing = Array.from({ length: k - kept }, (_, index) => kept + index);
  completeOrthonormalColumns(result, rows, k, missing);
  return result;
}

/**
 * Thin Householder QR of X [m, n] given column-major (overwritten): Q [m, p] column-major with orthonormal
 * columns and R [p, n] row-major upper triangular, p = min(m, n), X = Q·R.
 */
function householderQr(
  X: Float64Array,
  m: number,
  n: number,
): { Q: Float64Array; R: Float64Array; p: number } {
  const p = Math.min(m, n);
  const reflectors: (Float64Array | undefined)[] = [];
  for (let j = 0; j < p; j++) {
    const v = X.slice(j * m + j, (j + 1) * m);
    let norm = 0;
    for (const value of v) norm += value * value;
    norm = Math.sqrt(norm);
    if (norm === 0) {
      reflectors.push(undefined);
      continue;
    }
    // Reflect onto −sign(x₀)·‖x‖·e₀ so that v₀ never cancels.
    v[0] = (v[0] as number) + ((v[0] as number) >= 0 ? norm : -norm);
    let vNorm = 0;
    for (const value of v) vNorm += value * value;
    vNorm = Math.sqrt(vNorm);
    for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / vNorm;
    for (let c = j; c < n; c++) reflect(X, c * m + j, v);
    reflectors.push(v);
  }
  const R = new Float64Array(p * n);
  for (let i = 0; i < p; i++) for (let c = i; c < n; c++) R[i * n + c] = X[c * m + i] as number;
  const Q = new Float64Array(m * p);
  for (let c = 0; c < p; c++) Q[c * m + c] = 1;
  for (let j = p - 1; j >= 0; j--) {
    const v = reflectors[j];
    if (v !== undefined) for (let c = 0; c < p; c++) reflect(Q, c * m + j, v);
  }
  return { Q, R, p };
}

/** x ← (I − 2vvᵀ)·x for the segment of `matrix` starting at `offset` with v's length. */
function reflect(matrix: Float64Array, offset: number, v: Float64Array): void {
  let dot = 0;
  for (let i = 0; i < v.length; i++) dot += (v[i] as number) * (matrix[offset + i] as number);
  if (dot === 0) return;
  const factor = 2 * dot;
  for (let i = 0; i < v.length; i++)
    matrix[offset + i] = (matrix[offset + i] as number) - factor * (v[i] as number);
}
