/**
 * The element types of safetensors files and conversions between the floating ones and float32.
 * f16 is IEEE binary16; bf16 is the upper half of a binary32 (rounded to nearest even when narrowing).
 */

export const DTYPES = {
  F64: { bytes: 8, float: true },
  F32: { bytes: 4, float: true },
  F16: { bytes: 2, float: true },
  BF16: { bytes: 2, float: true },
  I64: { bytes: 8, float: false },
  I32: { bytes: 4, float: false },
  I16: { bytes: 2, float: false },
  I8: { bytes: 1, float: false },
  U8: { bytes: 1, float: false },
  BOOL: { bytes: 1, float: false },
} as const satisfies Record<string, { bytes: number; float: boolean }>;

export type DType = keyof typeof DTYPES;
/** The dtypes LoRA weights may be stored in. */
export type FloatDType = 'F32' | 'F16' | 'BF16';

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.hasOwn(DTYPES, value);
}

export function dtypeBytes(dtype: DType): number {
  return DTYPES[dtype].bytes;
}

const scratch = new DataView(new ArrayBuffer(4));

/** binary16 bits → number. */
export function f16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** number → binary16 bits, rounding to nearest even (as PyTorch's `.half()` does). */
export function numberToF16(value: number): number {
  scratch.setFloat32(0, value, true);
  const x = scratch.getUint32(0, true);
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const unbiased = exponent - 127;
  if (unbiased > 15) return sign | 0x7c00;
  if (unbiased >= -14) {
    // normal half: keep 10 mantissa bits, round to nearest even on the 13 dropped bits
    let half = ((unbiased + 15) << 10) | (mantissa >> 13);
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
    return sign | half;
  }
  if (unbiased < -25) return sign;
  // subnormal half
  mantissa |= 0x800000;
  const shift = -unbiased - 14 + 13;
  let half = mantissa >> shift;
  const rest = mantissa & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && half & 1)) half++;
  return sign | half;
}

/** bfloat16 bits → number. */
export function bf16ToNumber(bits: number): number {
  scratch.setUint32(0, (bits & 0xffff) << 16, true);
  return scratch.getFloat32(0, true);
}

/** number → bfloat16 bits, rounding to nearest even (NaN stays a quiet NaN). */
export function numberToBf16(value: number): number {
  scratch.setFloat32(0, value, true);
  const x = scratch.getUint32(0, true);
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}
