/**
 * Tensor memory for the host backends (`reference`, and `cpu`, which shares the layout): HostTensor creation,
 * reshaped views, reads, writes, copies and fills, with f16/bf16 stored as bit patterns and converted with
 * round-to-nearest-even.
 */
import { bf16ToNumber, f16ToNumber, numberToBf16, numberToF16, ShapeError } from '@lorakit/core';
import type { Backend } from '../backend.js';
import { checkTensor, describeShape } from '../check-tensor.js';
import type { BackendName, DeviceDType, DeviceTensor } from '../device-tensor.js';
import { HostTensor } from '../host-tensor.js';
import { hostStorage } from './host-data.js';

export type HostMemory = Pick<
  Backend,
  'fromArray' | 'zeros' | 'view' | 'toArray' | 'write' | 'copy' | 'fill' | 'synchronize'
>;

/** value → the stored representation of `dtype` (a float for f32, a 16-bit pattern otherwise). */
export function encodeValue(value: number, dtype: DeviceDType): number {
  if (dtype === 'f16') return numberToF16(value);
  if (dtype === 'bf16') return numberToBf16(value);
  return value;
}

export function decodeValue(stored: number, dtype: DeviceDType): number {
  if (dtype === 'f16') return f16ToNumber(stored);
  if (dtype === 'bf16') return bf16ToNumber(stored);
  return stored;
}

function checkShapeArgument(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((size) => !Number.isInteger(size) || size < 0)) {
    throw new ShapeError(
      'INVALID_ARGUMENT',
      `${op}: shape ${JSON.stringify(shape)} must be a list of non-negative integers`,
    );
  }
}

/** Backend.view's checks: a live tensor of `backend`, and a shape with its element count. */
export function checkViewShape(backend: BackendName, tensor: DeviceTensor, shape: readonly number[]): void {
  checkTensor('view', 'tensor', tensor, backend, undefined, 'any');
  checkShapeArgument('view', shape);
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  if (size !== tensor.size) {
    throw new ShapeError(
      'SHAPE_MISMATCH',
      `view: cannot view a tensor of shape ${describeShape(tensor.shape)} (${tensor.size} elements) as ${describeShape(shape)} (${size} elements)`,
      { fix: 'a view keeps the element count; copy into a new tensor to change it' },
    );
  }
}

export function createHostMemory(backend: BackendName): HostMemory {
  const writeValues = (op: string, tensor: DeviceTensor, values: ArrayLike<number>): void => {
    if (values.length !== tensor.size) {
      throw new ShapeError(
        'SHAPE_MISMATCH',
        `${op}: ${values.length} values for a tensor of shape ${describeShape(tensor.shape)} (${tensor.size} elements)`,
      );
    }
    const storage = hostStorage(tensor);
    for (let i = 0; i < values.length; i++) storage[i] = encodeValue(values[i] as number, tensor.dtype);
  };
  return {
    fromArray(values: ArrayLike<number>, shape: readonly number[], dtype: DeviceDType = 'f32'): DeviceTensor {
      checkShapeArgument('fromArray', shape);
      const tensor = new HostTensor(backend, shape, dtype);
      writeValues('fromArray', tensor, values);
      return tensor;
    },
    zeros(shape: readonly number[], dtype: DeviceDType = 'f32'): DeviceTensor {
      checkShapeArgument('zeros', shape);
      return new HostTensor(backend, shape, dtype);
    },
    view(tensor: DeviceTensor, shape: readonly number[]): DeviceTensor {
      checkViewShape(backend, tensor, shape);
      hostStorage(tensor); // a foreign DeviceTensor claiming this backend is BACKEND_MISMATCH here
      return (tensor as HostTensor).view(shape);
    },
    toArray(tensor: DeviceTensor): Float32Array {
      checkTensor('toArray', 'tensor', tensor, backend, undefined, 'any');
      const storage = hostStorage(tensor);
      if (storage instanceof Float32Array) return storage.slice();
      const result = new Float32Array(storage.length);
      for (let i = 0; i < storage.length; i++) result[i] = decodeValue(storage[i] as number, tensor.dtype);
      return result;
    },
    write(tensor: DeviceTensor, values: ArrayLike<number>): void {
      checkTensor('write', 'tensor', tensor, backend, undefined, 'any');
      writeValues('write', tensor, values);
    },
    copy(dst: DeviceTensor, src: DeviceTensor): void {
      const shape = checkTensor('copy', 'src', src, backend, undefined, 'any');
      checkTensor('copy', 'dst', dst, backend, shape, src.dtype);
      hostStorage(dst).set(hostStorage(src));
    },
    fill(tensor: DeviceTensor, value: number): void {
      checkTensor('fill', 'tensor', tensor, backend, undefined, 'any');
      hostStorage(tensor).fill(encodeValue(value, tensor.dtype));
    },
    synchronize(): void {},
  };
}
