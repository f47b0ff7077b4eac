/**
 * The native cast is bit-exact with @lorakit/core's conversions, which is how the reference casts (through a JS
 * number): every one of the 65536 f16 and bf16 bit patterns to f32, f16 and bf16 (NaN payloads, subnormals,
 * infinities included), and f32 patterns around every f16/bf16 rounding boundary plus random ones.
 */
import { bf16ToNumber, f16ToNumber, numberToBf16, numberToF16 } from '@lorakit/core';
import { describe, expect, it } from 'vitest';
import type { DeviceDType } from '../device-tensor.js';
import { loadNative } from '../native/load-native.js';
import { SeededRandom } from '../testing/index.js';
import { nativeOpNames } from './native-op-names.js';

const loaded = loadNative();
const fallbacks = 'module' in loaded ? nativeOpNames(loaded.module).reference : [];
const skipReason =
  'unavailable' in loaded
    ? loaded.unavailable
    : fallbacks.length > 0
      ? `the addon lacks ${fallbacks.join(', ')} (rebuild it)`
      : undefined;
const native = 'module' in loaded && skipReason === undefined ? loaded.module : undefined;
if (skipReason !== undefined) console.warn(`[native cast tests] skipped: ${skipReason}`);

type Storage = Float32Array | Uint16Array;

function allocate(dtype: DeviceDType, size: number): Storage {
  return dtype === 'f32' ? new Float32Array(size) : new Uint16Array(size);
}

/** What the reference computes: decode to a JS number with core's functions, encode with core's functions. */
function expectedCast(source: Storage, from: DeviceDType, to: DeviceDType): Storage {
  const decode =
    from === 'f16' ? f16ToNumber : from === 'bf16' ? bf16ToNumber : (value: number): number => value;
  const encode = to === 'f16' ? numberToF16 : to === 'bf16' ? numberToBf16 : (value: number): number => value;
  const target = allocate(to, source.length);
  for (let i = 0; i < source.length; i++) target[i] = encode(decode(source[i] as number));
  return target;
}

/** Compares storage bit patterns; reports the first mismatch with its input pattern. */
function expectSameBits(actual: Storage, expected: Storage, input: Storage, label: string): void {
  const bits = (array: Storage): Uint32Array | Uint16Array =>
    array instanceof Float32Array ? new Uint32Array(array.buffer, array.byteOffset, array.length) : array;
  const [a, e, x] = [bits(actual), bits(expected), bits(input)];
  const first = a.findIndex((value, index) => value !== e[index]);
  const hex = (value: number | undefined): string => `0x${(value ?? 0).toString(16)}`;
  expect(
    first,
    first < 0 ? label : `${label}: input ${hex(x[first])} gave ${hex(a[first])}, expected ${hex(e[first])}`,
  ).toBe(-1);
}

const DTYPES: readonly DeviceDType[] = ['f32', 'f16', 'bf16'];

describe.skipIf(!native)('native cast, bit-exact with @lorakit/core', () => {
  it.each(['f16', 'bf16'] as const)('all 65536 %s patterns to f32, f16 and bf16', (from) => {
    const source = Uint16Array.from({ length: 65536 }, (_, i) => i);
    for (const to of DTYPES) {
      const actual = allocate(to, source.length);
      native?.cast(actual, source, source.length, to, from);
      expectSameBits(actual, expectedCast(source, from, to), source, `${from} → ${to}`);
      // An unaligned view with a length that leaves a scalar tail after the 8-wide loop.
      const view = source.subarray(3, 65530);
      const tail = allocate(to, view.length);
      native?.cast(tail, view, view.length, to, from);
      expectSameBits(tail, expectedCast(view, from, to), view, `${from} → ${to} (offset view)`);
    }
  });

  it('f32 patterns at every f16 and bf16 rounding boundary, specials and random bits', () => {
    const patterns: number[] = [
      0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xffbfffff, 0x7fa12345,
      0x00000001, 0x807fffff, 0x7f7fffff,
    ];
    // Each 16-bit result's neighbourhood in f32: the exact value, the halfway points and one ulp either side.
    for (let half = 0; half < 65536; half++) {
      const upper = half << 16;
      for (const offset of [-1, 0, 1, 0x7fff, 0x8000, 0x8001]) patterns.push((upper + offset) >>> 0);
      const f16Value = Math.fround(f16ToNumber(half));
      if (Number.isFinite(f16Value)) {
        const view = new DataView(new ArrayBuffer(4));
        view.setFloat32(0, f16Value);
        const bits = view.getUint32(0);
        for (const offset of [-0x1001, -0x1000, -0xfff, -1, 0, 1, 0xfff, 0x1000, 0x1001])
          patterns.push((bits + offset) >>> 0);
      }
    }
    const random = new SeededRandom(9);
    for (let i = 0; i < 200000; i++) patterns.push(Math.floor(random.next() * 2 ** 32) >>> 0);
    const source = new Float32Array(Uint32Array.from(patterns).buffer);
    for (const to of DTYPES) {
      const actual = allocate(to, source.length);
      native?.cast(actual, source, source.length, to, 'f32');
      expectSameBits(actual, expectedCast(source, 'f32', to), source, `f32 → ${to}`);
    }
  });
});
