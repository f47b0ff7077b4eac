/**
 * out = x converted to out's dtype. Every value goes through f32 (f16 and bf16 are exact in f32), then is
 * rounded to the target with round-to-nearest-even (core's numberToF16 / numberToBf16).
 */
import type { DeviceTensor } from '../device-tensor.js';
import { validateCast } from '../validate/cast.js';
import { hostStorage } from './host-data.js';
import { decodeValue, encodeValue } from './host-memory.js';

export function referenceCast(out: DeviceTensor, x: DeviceTensor): void {
  const { size } = validateCast('cast', 'reference', out, x);
  const source = hostStorage(x);
  const target = hostStorage(out);
  for (let i = 0; i < size; i++)
    target[i] = encodeValue(decodeValue(source[i] as number, x.dtype), out.dtype);
}
