/**
 * Combining several LoRA adapters of one module into one (PEFT's `add_weighted_adapter`), fp32 with fp64 sums.
 *
 * Inputs: adapter i has A_i [r_i, in], B_i [out, r_i], its own scale s_i and a user weight w_i (may be negative).
 * The target is the weighted sum of the deltas, Σ w_i·s_i·B_i·A_i. The result carries scale 1: ΔW = B·A. To save it
 * as a PEFT adapter, write lora_alpha = r without rsLoRA (or lora_alpha = √r with use_rslora), so that scale is 1.
 *
 *   cat:    A = [w_1·s_1·A_1; …; w_n·s_n·A_n] (rows stacked), B = [B_1 … B_n] (columns side by side), r = Σ r_i.
 *           Exact: B·A = Σ w_i·s_i·B_i·A_i. The factor goes into A, as PEFT does, so the tensors match PEFT's.
 *   linear: equal ranks; c_i = √|w_i·s_i|, A = Σ sign(w_i·s_i)·c_i·A_i, B = Σ c_i·B_i (PEFT's mixing). This is NOT
 *           the weighted sum of the deltas: B·A = Σ_i w_i·s_i·B_i·A_i + Σ_{i≠j} c_i·c_j·sign_j·B_i·A_j (cross terms).
 *   svd:    the best rank-k approximation of the exact sum (Eckart–Young): with Σ w_i·s_i·B_i·A_i = U·S·Vᵀ
 *           (computed from the cat factors, product-svd.ts), B = U_k·S_k and A = V_kᵀ (PEFT's split); k defaults to
 *           the largest r_i.
 *
 * Why lorakit does not copy PEFT here: PEFT folds each adapter's own scaling into the combined factors (as we do),
 * but then gives the new adapter a config copied from the first one with r = lora_alpha = new rank. With
 * use_rslora copied too, the new adapter's scaling is alpha/√r = √r instead of 1, so its delta comes out √r times
 * the weighted sum. Returning scale 1 explicitly keeps cat and svd equal to Σ w_i·ΔW_i whatever the inputs used.
 */
import { MathError } from './errors.js';
import { checkLoraFactors } from './lora-delta.js';
import { truncatedSvdOfProduct } from './product-svd.js';

/** One adapter to combine: its factors, its own scale (alpha/r or alpha/√r) and its weight in the mix. */
export interface WeightedLora {
  /** lora_A, [r, in] row-major. */
  readonly A: Float32Array;
  /** lora_B, [out, r] row-major. */
  readonly B: Float32Array;
  readonly r: number;
  readonly scale: number;
  readonly weight: number;
  /** Adapter name, used in error messages. */
  readonly name?: string;
}

export type CombineMethod = 'cat' | 'linear' | 'svd';

export interface CombineOptions {
  readonly method: CombineMethod;
  /** Rank of the result for `svd` (default: the largest r_i); ignored otherwise. */
  readonly rank?: number;
  readonly in: number;
  readonly out: number;
}

/** The combined adapter: ΔW = B·A, scale 1. */
export interface CombinedLora {
  readonly A: Float32Array;
  readonly B: Float32Array;
  readonly r: number;
  readonly scale: 1;
}

/** Combines adapters of one module into one by `cat` (exact), `linear` (PEFT's mixing) or `svd` (best rank-k). */
export function combineLora(adapters: readonly WeightedLora[], options: CombineOptions): CombinedLora {
  if (adapters.length === 0) {
    throw new MathError('INVALID_ARGUMENT', 'combineLora: no adapters given', {
      fix: 'pass at least one adapter',
    });
  }
  adapters.forEach((adapter, index) => {
    const name = adapter.name ?? `adapter ${index}`;
    checkLoraFactors({ ...adapter, in: options.in, out: options.out, name });
    if (!Number.isFinite(adapter.weight)) {
      throw new MathError('INVALID_ARGUMENT', `combineLora: ${name} has weight ${adapter.weight}`, {
        fix: 'weights must be finite numbers',
      });
    }
  });
  switch (options.method) {
    case 'cat':
      return concatenate(adapters, options);
    case 'linear':
      return mixLinearly(adapters, options);
    case 'svd':
      return truncate(adapters, options);
    default:
      throw new MathError('INVALID_ARGUMENT', `combineLora: unknown method "${String(options.method)}"`, {
        fix: "use 'cat', 'linear' or 'svd'",
      });
  }
}

function concatenate(adapters: readonly WeightedLora[], options: CombineOptions): CombinedLora {
  const r = adapters.reduce((sum, adapter) => sum + adapter.r, 0);
  const A = new Float32Array(r * options.in);
  const B = new Float32Array(options.out * r);
  let offset = 0;
  for (const adapter of adapters) {
    const factor = adapter.weight * adapter.scale;
    for (let index = 0; index < adapter.A.length; index++)
      A[offset * options.in + index] = factor * (adapter.A[index] as number);
    for (let o = 0; o < options.out; o++) {
      for (let k = 0; k < adapter.r; k++) B[o * r + offset + k] = adapter.B[o * adapter.r + k] as number;
    }
    offset += adapter.r;
  }
  return { A, B, r, scale: 1 };
}

function mixLinearly(adapters: readonly WeightedLora[], options: CombineOptions): CombinedLora {
  const r = (adapters[0] as WeightedLora).r;
  const different = adapters.find((adapter) => adapter.r !== r);
  if (different !== undefined) {
    throw new MathError(
      'INVALID_ARGUMENT',
      `combineLora linear: all adapters need the same rank, got r = ${r} and r = ${different.r}`,
      {
        fix: "use method 'cat' or 'svd' for adapters of different ranks",
      },
    );
  }
  const A = new Float64Array(r * options.in);
  const B = new Float64Array(options.out * r);
  for (const adapter of adapters) {
    const product = adapter.weight * adapter.scale;
    const root = Math.sqrt(Math.abs(product));
    // The sign goes on A only, so that a negative weight is not squared away.
    const signedRoot = product >= 0 ? root : -root;
    for (let index = 0; index < A.length; index++)
      A[index] = (A[index] as number) + signedRoot * (adapter.A[index] as number);
    for (let index = 0; index < B.length; index++)
      B[index] = (B[index] as number) + root * (adapter.B[index] as number);
  }
  return { A: Float32Array.from(A), B: Float32Array.from(B), r, scale: 1 };
}

function truncate(adapters: readonly WeightedLora[], options: CombineOptions): CombinedLora {
  const rank = options.rank ?? Math.max(...adapters.map((adapter) => adapter.r));
  const limit = Math.min(options.in, options.out);
  if (!Number.isInteger(rank) || rank < 1 || rank > limit) {
    throw new MathError(
      'INVALID_ARGUMENT',
      `combineLora svd: rank ${rank} must be an integer in 1..min(in, out) = ${limit}`,
      {
        fix: 'pass a smaller rank',
      },
    );
  }
  const stacked = concatenate(adapters, options);
  const { U, S, V } = truncatedSvdOfProduct({
    left: stacked.B,
    right: stacked.A,
    rows: options.out,
    inner: stacked.r,
    cols: options.in,
    k: rank,
  });
  const B = new Float32Array(options.out * rank);
  for (let o = 0; o < options.out; o++) {
    for (let k = 0; k < rank; k++) B[o * rank + k] = (U[o * rank + k] as number) * (S[k] as number);
  }
  const A = new Float32Array(rank * options.in);
  for (let i = 0; i < options.in; i++) {
    for (let k = 0; k < rank; k++) A[k * options.in + i] = V[i * rank + k] as number;
  }
  return { A, B, r: rank, scale: 1 };
}
