/**
 * A permutation of 0..n−1 that depends only on (seed, stream): Fisher–Yates driven by a counter-based hash
 * (lowbias32), so any epoch's data order can be recomputed on resume without saving generator state.
 */
import { lowbias32 } from '@lorakit/kernels-cuda';

/** A 32-bit value that depends on every input; used to derive independent seeds (per epoch, per step). */
export function mixSeed(...values: readonly number[]): number {
  let state = 0x9e3779b9;
  for (const value of values) state = lowbias32((state ^ lowbias32(value >>> 0)) + 0x6d2b79f5);
  return state >>> 0;
}

export function seededPermutation(length: number, seed: number, stream = 0): number[] {
  const order = Array.from({ length }, (_, index) => index);
  const base = mixSeed(seed, stream);
  for (let index = length - 1; index > 0; index--) {
    const pick = Math.floor((lowbias32((base ^ lowbias32(index)) >>> 0) / 4294967296) * (index + 1));
    const swap = order[index] as number;
    order[index] = order[pick] as number;
    order[pick] = swap;
  }
  return order;
}
