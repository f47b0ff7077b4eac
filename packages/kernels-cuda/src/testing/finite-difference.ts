/**
 * Central-difference gradients for the finite-difference checks of every backward op:
 *   ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / ((x_i + h) − (x_i − h)).
 * Inputs live in f32 tensors, so the perturbed values are rounded to f32 first and the divisor is the step that
 * was actually taken; f should return a scalar summed in fp64 (e.g. L = Σ dy ⊙ y).
 */

export interface FiniteDifferenceOptions {
  /** Perturbation h (default 1e-3: truncation error O(h²) stays far below f32 rounding of f / 2h). */
  step?: number;
  /** Only these coordinates (default: all). Unlisted ones come back as NaN. */
  indices?: readonly number[];
}

export function finiteDifference(
  f: (x: Float32Array) => number,
  x: ArrayLike<number>,
  options: FiniteDifferenceOptions = {},
): Float64Array {
  const step = options.step ?? 1e-3;
  const point = Float32Array.from(x);
  const gradient = new Float64Array(point.length).fill(Number.NaN);
  const indices = options.indices ?? Array.from({ length: point.length }, (_, index) => index);
  for (const index of indices) {
    const original = point[index] as number;
    const plus = Math.fround(original + step);
    const minus = Math.fround(original - step);
    point[index] = plus;
    const upper = f(point);
    point[index] = minus;
    const lower = f(point);
    point[index] = original;
    gradient[index] = (upper - lower) / (plus - minus);
  }
  return gradient;
}

/** L = Σ weights ⊙ values in fp64: the scalar loss whose gradient with respect to values is `weights`. */
export function weightedSum(values: ArrayLike<number>, weights: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] as number) * (weights[i] as number);
  return sum;
}
