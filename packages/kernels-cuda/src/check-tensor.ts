/**
 * Argument checks shared by every backend. They run in TypeScript before any native code, so a wrong shape, a
 * disposed tensor or a tensor of another backend is a typed error naming the op and the shapes, never a segfault.
 */
import { BackendError, ShapeError } from '@lorakit/core';
import type { BackendName, DeviceDType, DeviceTensor } from './device-tensor.js';

export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Checks one tensor argument of `op`: owned by `backend`, not disposed, of the dtype, and of `shape` when given
 * (a `-1` entry matches any size). Returns the tensor's shape for destructuring.
 */
export function checkTensor(
  op: string,
  name: string,
  tensor: DeviceTensor | undefined,
  backend: BackendName,
  shape?: readonly number[],
  dtype: DeviceDType | 'any' = 'f32',
): readonly number[] {
  if (tensor === undefined) throw new ShapeError('INVALID_ARGUMENT', `${op}: ${name} is required`);
  if (tensor.backend !== backend) {
    throw new BackendError(
      'BACKEND_MISMATCH',
      `${op}: ${name} belongs to the ${tensor.backend} backend, not ${backend}`,
      {
        fix: 'create every tensor of one computation on the same backend',
      },
    );
  }
  if (tensor.disposed)
    throw new BackendError(
      'TENSOR_DISPOSED',
      `${op}: ${name} ${describeShape(tensor.shape)} was used after dispose()`,
    );
  if (dtype !== 'any' && tensor.dtype !== dtype) {
    throw new ShapeError('SHAPE_MISMATCH', `${op}: ${name} is ${tensor.dtype}, expected ${dtype}`);
  }
  if (
    shape &&
    (shape.length !== tensor.shape.length ||
      shape.some((size, index) => size !== -1 && size !== tensor.shape[index]))
  ) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${op}: ${name} has shape ${describeShape(tensor.shape)}, expected ${describeShape(shape.map((size) => (size === -1 ? Number.NaN : size))).replaceAll('NaN', '*')}`,
    );
  }
  return tensor.shape;
}

/** Checks a tensor's rank and returns its shape. */
export function checkRank(
  op: string,
  name: string,
  tensor: DeviceTensor | undefined,
  backend: BackendName,
  rank: number,
): number[] {
  const shape = checkTensor(op, name, tensor, backend);
  if (shape.length !== rank) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `${op}: ${name} has shape ${describeShape(shape)}, expected ${rank} dimensions`,
    );
  }
  return [...shape];
}

/** Checks an index array (token ids, adapter indices …): length and every value in [low, high). */
export function checkIndices(
  op: string,
  name: string,
  values: Int32Array,
  length: number,
  low: number,
  high: number,
  allowed?: number,
): void {
  if (!(values instanceof Int32Array))
    throw new ShapeError('INVALID_ARGUMENT', `${op}: ${name} must be an Int32Array`);
  if (values.length !== length)
    throw new ShapeError('SHAPE_MISMATCH', `${op}: ${name} has ${values.length} entries, expected ${length}`);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if ((value < low || value >= high) && value !== allowed) {
      throw new ShapeError(
        'INVALID_ARGUMENT',
        `${op}: ${name}[${i}] = ${value} is out of range [${low}, ${high})${allowed === undefined ? '' : ` (or ${allowed})`}`,
      );
    }
  }
}
