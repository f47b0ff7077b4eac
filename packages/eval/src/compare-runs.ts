/**
 * Paired comparison of two runs on the same items: B − A. For 0/1 metrics the p-value is McNemar's exact test
 * (test "mcnemar"); otherwise the paired bootstrap's (test "paired_bootstrap"). The 95% interval of the
 * difference is the paired bootstrap's in both cases (seeded, so a rerun prints the same numbers).
 */
import type { EvalRecord } from './eval-record.js';
import { mcnemarTest } from './mcnemar.js';
import { pairedBootstrap } from './paired-bootstrap.js';
import type { BootstrapOptions } from './paired-bootstrap.js';
import { pairRecords } from './pair-records.js';

export interface RunComparison {
  n: number;
  a: number;
  b: number;
  difference: number;
  ci95: [number, number];
  p_value: number;
  test: 'mcnemar' | 'paired_bootstrap';
  /** McNemar's discordant counts (A right & B wrong, A wrong & B right), for 0/1 metrics. */
  discordant?: { a_only: number; b_only: number };
}

export interface CompareRunsOptions extends BootstrapOptions {
  /** Force the test; by default McNemar when every score of both runs is 0 or 1. */
  binary?: boolean;
  names?: { a: string; b: string };
}

export function compareRuns(
  a: readonly EvalRecord[],
  b: readonly EvalRecord[],
  options: CompareRunsOptions = {},
): RunComparison {
  const paired = pairRecords(a, b, options.names);
  const n = paired.a.length;
  const meanA = paired.a.reduce((sum, value) => sum + value, 0) / n;
  const meanB = paired.b.reduce((sum, value) => sum + value, 0) / n;
  const isBinary = (value: number): boolean => value === 0 || value === 1;
  const binary = options.binary ?? (paired.a.every(isBinary) && paired.b.every(isBinary));
  const bootstrap = pairedBootstrap(paired.a, paired.b, options);
  const common = { n, a: meanA, b: meanB, difference: meanB - meanA, ci95: bootstrap.ci95 };
  if (!binary) return { ...common, p_value: bootstrap.pValue, test: 'paired_bootstrap' };
  let aOnly = 0;
  let bOnly = 0;
  paired.a.forEach((value, index) => {
    const other = paired.b[index] as number;
    if (value > other) aOnly++;
    else if (value < other) bOnly++;
  });
  return {
    ...common,
    p_value: mcnemarTest(aOnly, bOnly).exactP,
    test: 'mcnemar',
    discordant: { a_only: aOnly, b_only: bOnly },
  };
}
