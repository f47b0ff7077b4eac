/**
 * Paired bootstrap over items (Efron & Tibshirani 1993, ch. 16; Koehn 2004 for NLP systems). Each replicate
 * draws n item indices with replacement, with one seeded generator, and recomputes the statistic on the same
 * indices of both runs, so the pairing (and the items' shared difficulty) is kept.
 * - difference: d = mean(B) − mean(A); the 95% interval is the 2.5th and 97.5th percentiles of the replicates;
 *   the two-sided p-value tests d = 0 by shifting the replicates to be centred on 0:
 *   p = (1 + #{|d*ᵢ − d| ≥ |d|}) / (R + 1).
 * - ratio: mean(A) / mean(B), e.g. "quality relative to full fine-tune", percentile interval likewise.
 */
import { LorakitError } from '@lorakit/core';
import { createSeededRandom } from '@lorakit/models';

export interface BootstrapOptions {
  /** Number of replicates (default 10,000). */
  replicates?: number;
  /** Seed of the resampling (default 0): the same seed gives the same interval and p-value. */
  seed?: number;
}

export interface PairedDifference {
  difference: number;
  ci95: [number, number];
  pValue: number;
}

export interface MeanRatio {
  ratio: number;
  ci95: [number, number];
}

function checkPaired(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length)
    throw new LorakitError('INVALID_ARGUMENT', `paired scores differ in length: ${a.length} and ${b.length}`);
  if (a.length === 0) throw new LorakitError('INVALID_ARGUMENT', 'no paired scores to compare');
}

/** Linear interpolation between order statistics (numpy's default "linear" method). */
export function percentile(sorted: Float64Array, fraction: number): number {
  const position = fraction * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  const weight = position - low;
  return (sorted[low] as number) * (1 - weight) + (sorted[high] as number) * weight;
}

/** Replicates of (mean of a, mean of b) over resampled item indices. */
function resampledMeans(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions,
): { meansA: Float64Array; meansB: Float64Array } {
  const replicates = options.replicates ?? 10_000;
  if (!Number.isSafeInteger(replicates) || replicates < 1)
    throw new LorakitError('INVALID_ARGUMENT', `replicates must be a positive integer, got ${replicates}`);
  const random = createSeededRandom(options.seed ?? 0);
  const n = a.length;
  const meansA = new Float64Array(replicates);
  const meansB = new Float64Array(replicates);
  for (let replicate = 0; replicate < replicates; replicate++) {
    let sumA = 0;
    let sumB = 0;
    for (let draw = 0; draw < n; draw++) {
      const index = Math.floor(random() * n);
      sumA += a[index] as number;
      sumB += b[index] as number;
    }
    meansA[replicate] = sumA / n;
    meansB[replicate] = sumB / n;
  }
  return { meansA, meansB };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** mean(b) − mean(a) with a percentile interval and a two-sided p-value. */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions = {},
): PairedDifference {
  checkPaired(a, b);
  const difference = mean(b) - mean(a);
  const { meansA, meansB } = resampledMeans(a, b, options);
  const replicates = meansA.map((value, index) => (meansB[index] as number) - value);
  let extreme = 0;
  // a tolerance so that replicates equal to d up to rounding count as "as extreme"
  const bar = Math.abs(difference) - 1e-12;
  for (const value of replicates) if (Math.abs(value - difference) >= bar) extreme++;
  replicates.sort();
  return {
    difference,
    ci95: [percentile(replicates, 0.025), percentile(replicates, 0.975)],
    pValue: Math.min(1, (1 + extreme) / (replicates.length + 1)),
  };
}

/** mean(a) / mean(b) with a percentile interval (replicates whose mean(b) is 0 are dropped). */
export function bootstrapMeanRatio(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions = {},
): MeanRatio {
  checkPaired(a, b);
  const denominator = mean(b);
  if (denominator === 0)
    throw new LorakitError('INVALID_ARGUMENT', 'the reference run scores 0 on average: a ratio is undefined');
  const { meansA, meansB } = resampledMeans(a, b, options);
  const ratios: number[] = [];
  meansA.forEach((value, index) => {
    const bottom = meansB[index] as number;
    if (bottom !== 0) ratios.push(value / bottom);
  });
  const sorted = Float64Array.from(ratios).sort();
  return { ratio: mean(a) / denominator, ci95: [percentile(sorted, 0.025), percentile(sorted, 0.975)] };
}
