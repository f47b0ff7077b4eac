/** A seeded train/validation/test split of one file's records (used when no validation file is given). */
import { ConfigError } from '@lorakit/core';
import { seededPermutation } from './seeded-permutation.js';

export interface SplitFractions {
  /** Share of records for validation (default 0.1). */
  validation?: number;
  /** Share of records for test (default 0). */
  test?: number;
  seed?: number;
}

export interface DatasetSplit<T> {
  train: T[];
  validation: T[];
  test: T[];
}

/**
 * Shuffles with `seed`, then takes round(n·fraction) records (at least one when the fraction is positive and
 * enough records exist) for test, then validation; the rest is train. Same seed, same split, on every machine.
 */
export function splitDataset<T>(items: readonly T[], fractions: SplitFractions = {}): DatasetSplit<T> {
  const validationShare = fractions.validation ?? 0.1;
  const testShare = fractions.test ?? 0;
  if (validationShare < 0 || testShare < 0 || validationShare + testShare >= 1) {
    throw new ConfigError(
      'INVALID_ARGUMENT',
      `split fractions validation=${validationShare} test=${testShare} must be ≥ 0 and sum below 1`,
    );
  }
  const count = (share: number): number => (share > 0 ? Math.max(1, Math.round(items.length * share)) : 0);
  const order = seededPermutation(items.length, fractions.seed ?? 0);
  const testCount = count(testShare);
  const validationCount = count(validationShare);
  if (items.length - testCount - validationCount < 1) {
    throw new ConfigError(
      'INVALID_ARGUMENT',
      `${items.length} record(s) are too few to split into train, validation and test`,
      {
        fix: 'add records or pass a separate validation file',
      },
    );
  }
  const pick = (from: number, to: number): T[] => order.slice(from, to).map((index) => items[index] as T);
  return {
    test: pick(0, testCount),
    validation: pick(testCount, testCount + validationCount),
    train: pick(testCount + validationCount, items.length),
  };
}
