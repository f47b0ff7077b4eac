/**
 * The mean of one run's per-item scores with a 95% interval.
 * - Binary (0/1) metrics: the Wilson score interval, (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n) with
 *   z = 1.95996; unlike the Wald interval it stays inside [0, 1] and keeps its coverage near 0 and 1.
 * - Continuous metrics: the t-interval x̄ ± t_{0.975, n−1}·s/√n (s the sample standard deviation). By the
 *   central limit theorem it is close to exact for the hundreds of items a test set has; for a handful of
 *   items of a skewed metric prefer `pairedBootstrap`'s intervals.
 */
import { LorakitError } from '@lorakit/core';
import { studentTQuantile, Z_95 } from './distributions.js';

export interface MeanInterval {
  mean: number;
  ci95: [number, number];
  n: number;
  method: 'wilson' | 't';
}

/** Wilson score interval of `successes` out of `n` at 95%. */
export function wilsonInterval(successes: number, n: number): [number, number] {
  if (n <= 0) throw new LorakitError('INVALID_ARGUMENT', `an interval needs at least one item, got n = ${n}`);
  const p = successes / n;
  const z2 = Z_95 * Z_95;
  const centre = p + z2 / (2 * n);
  const half = Z_95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  // At 0 or n successes the bound is exactly 0 or 1; floating-point cancellation would leave ~1e-18 there.
  const low = successes === 0 ? 0 : Math.max(0, (centre - half) / denominator);
  const high = successes === n ? 1 : Math.min(1, (centre + half) / denominator);
  return [low, high];
}

/** Mean and 95% interval of per-item scores; `binary` selects Wilson (scores must then be 0 or 1). */
export function meanWithInterval(scores: readonly number[], options: { binary: boolean }): MeanInterval {
  const n = scores.length;
  if (n === 0) throw new LorakitError('INVALID_ARGUMENT', 'no scores to average: the run has no items');
  const mean = scores.reduce((sum, value) => sum + value, 0) / n;
  if (options.binary) {
    const bad = scores.find((value) => value !== 0 && value !== 1);
    if (bad !== undefined)
      throw new LorakitError('INVALID_ARGUMENT', `a binary metric has a score of ${bad}; expected 0 or 1`);
    return { mean, ci95: wilsonInterval(mean * n, n), n, method: 'wilson' };
  }
  if (n === 1) return { mean, ci95: [mean, mean], n, method: 't' };
  const variance = scores.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  const half = studentTQuantile(0.975, n - 1) * Math.sqrt(variance / n);
  return { mean, ci95: [mean - half, mean + half], n, method: 't' };
}
