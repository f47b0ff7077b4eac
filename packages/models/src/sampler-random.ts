/**
 * A seeded pseudo-random generator, so that one seed reproduces one sample on every platform: xoshiro128**
 * (Blackman & Vigna) with its 128-bit state filled by splitmix32 from the seed. Uniforms are k / 2³² in [0, 1).
 */
import { LorakitError } from '@lorakit/core';

function splitmix32(state: { value: number }): number {
  state.value = (state.value + 0x9e3779b9) | 0;
  let z = state.value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/** Returns a function that yields uniform numbers in [0, 1); `seed` is any safe integer. */
export function createSeededRandom(seed: number): () => number {
  if (!Number.isSafeInteger(seed)) {
    throw new LorakitError('INVALID_ARGUMENT', `seed must be a safe integer, got ${seed}`);
  }
  // Both halves of a 53-bit seed count, so seeds 1 and 2³²+1 differ.
  const mixer = { value: (seed | 0) ^ Math.imul(Math.floor(seed / 2 ** 32) | 0, 0x27d4eb2d) };
  let s0 = splitmix32(mixer);
  let s1 = splitmix32(mixer);
  let s2 = splitmix32(mixer);
  let s3 = splitmix32(mixer);
  return (): number => {
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotateLeft(s3, 11);
    return result / 2 ** 32;
  };
}
