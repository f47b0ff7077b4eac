/**
 * LoRA dropout's keep mask as a pure function of (seed, element index), identical in TypeScript, C++ and CUDA, so
 * the backward regenerates the mask instead of storing a [T, in] tensor:
 *   u = lowbias32(index ⊕ lowbias32(seed)) / 2³²,  keep ⇔ u ≥ p,  kept values are scaled by 1/(1−p).
 * lowbias32 is Chris Wellons' 32-bit integer hash (a public-domain construction); all arithmetic is mod 2³².
 */

export function lowbias32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** The multiplier dropout applies to element `index`: 0 (dropped) or 1/(1−p) (kept). */
export function dropoutFactor(seed: number, index: number, probability: number): number {
  if (probability <= 0) return 1;
  const u = lowbias32((index ^ lowbias32(seed)) >>> 0) / 4294967296;
  return u >= probability ? 1 / (1 - probability) : 0;
}
