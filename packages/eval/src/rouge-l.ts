/**
 * ROUGE-L (Lin 2004): with L = the length of the longest common subsequence of the candidate's and the
 * reference's tokens, P = L/|candidate|, R = L/|reference|, F = 2·P·R/(P + R) (β = 1). Tokens are lower-cased
 * runs of letters and digits. L by dynamic programming in O(|c|·|r|) time and O(|r|) memory.
 */
import { wordTokens } from './text-normalization.js';

export function longestCommonSubsequence(a: readonly string[], b: readonly string[]): number {
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (const token of a) {
    for (let j = 1; j <= b.length; j++) {
      current[j] =
        token === b[j - 1]
          ? (previous[j - 1] as number) + 1
          : Math.max(previous[j] as number, current[j - 1] as number);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] as number;
}

/** ROUGE-L F-measure of a candidate against a reference; 1 when both have no tokens. */
export function rougeL(candidate: string, reference: string): number {
  const c = wordTokens(candidate);
  const r = wordTokens(reference);
  if (c.length === 0 && r.length === 0) return 1;
  const common = longestCommonSubsequence(c, r);
  if (common === 0) return 0;
  const precision = common / c.length;
  const recall = common / r.length;
  return (2 * precision * recall) / (precision + recall);
}
