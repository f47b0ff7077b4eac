/**
 * "Quality relative to full fine-tune": mean(candidate) / mean(full) over the same items, with a paired
 * percentile-bootstrap 95% interval (see paired-bootstrap.ts). 0.95 reads "95% of full fine-tune's score".
 * For lower-is-better metrics (perplexity) the ratio is inverted, mean(full) / mean(candidate), so that
 * above 1 still means "better than full fine-tune".
 */
import type { EvalRecord } from './eval-record.js';
import { bootstrapMeanRatio } from './paired-bootstrap.js';
import type { BootstrapOptions, MeanRatio } from './paired-bootstrap.js';
import { pairRecords } from './pair-records.js';

export function qualityRelativeToFull(
  candidate: readonly EvalRecord[],
  full: readonly EvalRecord[],
  options: BootstrapOptions & { higherIsBetter?: boolean } = {},
): MeanRatio {
  const paired = pairRecords(candidate, full, { a: 'the candidate run', b: 'the full fine-tune run' });
  return options.higherIsBetter === false
    ? bootstrapMeanRatio(paired.b, paired.a, options)
    : bootstrapMeanRatio(paired.a, paired.b, options);
}
