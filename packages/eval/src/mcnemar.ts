/**
 * McNemar's test for two 0/1 runs on the same items. Only the discordant pairs count: b = items run A got right
 * and B wrong, c = the reverse. Under H0 (equal accuracy) b ~ Binomial(b + c, ½).
 * - exact (the p-value lorakit reports): p = min(1, 2·P(X ≤ min(b, c)));
 * - mid-p: p = 2·[P(X < min(b, c)) + ½·P(X = min(b, c))], less conservative (Fagerland, Lydersen & Laake 2013);
 * - chi-square with Edwards' continuity correction: χ² = (|b − c| − 1)² / (b + c), 1 degree of freedom.
 */
import { binomialHalfProbability, erfc } from './distributions.js';

export interface McNemarResult {
  b: number;
  c: number;
  exactP: number;
  midP: number;
  chiSquare: number;
  chiSquareP: number;
}

export function mcnemarTest(b: number, c: number): McNemarResult {
  const n = b + c;
  if (n === 0) return { b, c, exactP: 1, midP: 1, chiSquare: 0, chiSquareP: 1 };
  const smaller = Math.min(b, c);
  let below = 0;
  for (let k = 0; k < smaller; k++) below += binomialHalfProbability(k, n);
  const atSmaller = binomialHalfProbability(smaller, n);
  const chiSquare = Math.max(0, Math.abs(b - c) - 1) ** 2 / n;
  return {
    b,
    c,
    exactP: Math.min(1, 2 * (below + atSmaller)),
    midP: Math.min(1, 2 * (below + atSmaller / 2)),
    chiSquare,
    // P(χ²₁ > x) = P(|Z| > √x) = erfc(√(x/2))
    chiSquareP: erfc(Math.sqrt(chiSquare / 2)),
  };
}
