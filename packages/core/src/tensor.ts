/**
 * A tensor as files store it: a dtype, a row-major shape and little-endian bytes. `data` is usually a view into
 * the bytes of a safetensors file, so reading a checkpoint never copies it; conversions to Float32Array copy.
 */
import { bf16ToNumber, dtypeBytes, DTYPES, f16ToNumber, numberToBf16, numberToF16 } from './dtype.js';
import type { DType, FloatDType } from './dtype.js';
import { MathError, ShapeError } from './errors.js';

export interface Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Row-major, little-endian element bytes; length = product(shape) · bytes(dtype). */
  readonly data: Uint8Array;
}

export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dimension of shape) count *= dimension;
  return count;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dimension, index) => dimension === b[index]);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Makes a tensor from bytes, checking that the byte length matches the shape and dtype. */
export function createTensor(dtype: DType, shape: readonly number[], data: Uint8Array): Tensor {
  const expected = elementCount(shape) * dtypeBytes(dtype);
  if (data.byteLength !== expected) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `tensor of shape ${formatShape(shape)} and dtype ${dtype} needs ${expected} bytes, got ${data.byteLength}`,
    );
  }
  return { dtype, shape: [...shape], data };
}

/** Float values of a floating-point tensor as a new Float32Array (F64 is narrowed). */
export function toFloat32(tensor: Tensor): Float32Array {
  const count = elementCount(tensor.shape);
  const view = new DataView(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const out = new Float32Array(count);
  switch (tensor.dtype) {
    case 'F32':
      if (tensor.data.byteOffset % 4 === 0)
        out.set(new Float32Array(tensor.data.buffer, tensor.data.byteOffset, count));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = f16ToNumber(view.getUint16(i * 2, true));
      return out;
    case 'BF16':
      for (let i = 0; i < count; i++) out[i] = bf16ToNumber(view.getUint16(i * 2, true));
      return out;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    default:
      throw new MathError(
        'INVALID_ARGUMENT',
        `cannot read a ${tensor.dtype} tensor as float values; expected F32, F16, BF16 or F64`,
      );
  }
}

/** Encodes float values into a new tensor of a floating dtype (rounding to nearest even when narrowing). */
export function fromFloat32(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype: FloatDType = 'F32',
): Tensor {
  const count = elementCount(shape);
  if (values.length !== count) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${values.length} values do not fill shape ${formatShape(shape)} (${count} elements)`,
    );
  }
  const data = new Uint8Array(count * DTYPES[dtype].bytes);
  const view = new DataView(data.buffer);
  for (let i = 0; i < count; i++) {
    const value = values[i] ?? 0;
    if (dtype === 'F32') view.setFloat32(i * 4, value, true);
    else if (dtype === 'F16') view.setUint16(i * 2, numberToF16(value), true);
    else view.setUint16(i * 2, numberToBf16(value), true);
  }
  return { dtype, shape: [...shape], data };
}
