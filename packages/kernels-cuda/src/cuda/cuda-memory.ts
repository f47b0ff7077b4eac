/**
 * Tensor memory of the cuda backend: creation, reshaped views (sharing the device buffer), reads, writes, copies and fills of CudaTensors, with f16/bf16
 * converted on the host exactly as the reference does (core's numberToF16 / numberToBf16, round to nearest even).
 */
import {
  bf16ToNumber,
  BackendError,
  f16ToNumber,
  numberToBf16,
  numberToF16,
  ShapeError,
} from '@lorakit/core';
import type { Backend } from '../backend.js';
import { checkTensor, describeShape } from '../check-tensor.js';
import type { DeviceDType, DeviceTensor } from '../device-tensor.js';
import { checkViewShape } from '../reference/host-memory.js';
import type { CudaBufferHandle, CudaModule } from './cuda-module.js';
import { CudaTensor } from './cuda-tensor.js';

export type CudaMemory = Pick<
  Backend,
  'fromArray' | 'zeros' | 'view' | 'toArray' | 'write' | 'copy' | 'fill' | 'synchronize'
>;

/** The device buffer of a tensor that checkTensor has accepted for the cuda backend, or a typed error. */
export function bufferOf(module: CudaModule, tensor: DeviceTensor): CudaBufferHandle {
  if (!(tensor instanceof CudaTensor) || tensor.module !== module) {
    throw new BackendError(
      'BACKEND_MISMATCH',
      `tensor ${describeShape(tensor.shape)} claims the cuda backend but was not created by this cuda backend`,
      {
        fix: 'create every tensor of one computation with the same backend',
      },
    );
  }
  return tensor.handle;
}

function checkShapeArgument(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((size) => !Number.isInteger(size) || size < 0)) {
    throw new ShapeError(
      'INVALID_ARGUMENT',
      `${op}: shape ${JSON.stringify(shape)} must be a list of non-negative integers`,
    );
  }
}

/** Host values → the dtype's storage (f32 values, or 16-bit patterns). */
function encode(values: ArrayLike<number>, dtype: DeviceDType): Float32Array | Uint16Array {
  if (dtype === 'f32') return Float32Array.from(values);
  const convert = dtype === 'f16' ? numberToF16 : numberToBf16;
  const storage = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) storage[i] = convert(values[i] as number);
  return storage;
}

/** The bit pattern `fill` writes for `value` in `dtype`. */
function bitPattern(value: number, dtype: DeviceDType): number {
  if (dtype === 'f16') return numberToF16(value);
  if (dtype === 'bf16') return numberToBf16(value);
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  return view.getUint32(0, true);
}

export function createCudaMemory(module: CudaModule): CudaMemory {
  const writeValues = (op: string, tensor: DeviceTensor, values: ArrayLike<number>): void => {
    if (values.length !== tensor.size) {
      throw new ShapeError(
        'SHAPE_MISMATCH',
        `${op}: ${values.length} values for a tensor of shape ${describeShape(tensor.shape)} (${tensor.size} elements)`,
      );
    }
    module.upload(bufferOf(module, tensor), encode(values, tensor.dtype));
  };
  return {
    fromArray(values: ArrayLike<number>, shape: readonly number[], dtype: DeviceDType = 'f32'): DeviceTensor {
      checkShapeArgument('fromArray', shape);
      const tensor = new CudaTensor(module, shape, dtype);
      try {
        writeValues('fromArray', tensor, values);
      } catch (error) {
        tensor.dispose();
        throw error;
      }
      return tensor;
    },
    zeros(shape: readonly number[], dtype: DeviceDType = 'f32'): DeviceTensor {
      checkShapeArgument('zeros', shape);
      const tensor = new CudaTensor(module, shape, dtype);
      module.fill(tensor.handle, tensor.size, dtype === 'f32' ? 4 : 2, 0);
      return tensor;
    },
    view(tensor: DeviceTensor, shape: readonly number[]): DeviceTensor {
      checkViewShape('cuda', tensor, shape);
      bufferOf(module, tensor); // a tensor of another cuda backend (device vs emulation) is BACKEND_MISMATCH
      return (tensor as CudaTensor).view(shape);
    },
    toArray(tensor: DeviceTensor): Float32Array {
      checkTensor('toArray', 'tensor', tensor, 'cuda', undefined, 'any');
      const buffer = bufferOf(module, tensor);
      if (tensor.dtype === 'f32') {
        const result = new Float32Array(tensor.size);
        module.download(buffer, result);
        return result;
      }
      const storage = new Uint16Array(tensor.size);
      module.download(buffer, storage);
      const decode = tensor.dtype === 'f16' ? f16ToNumber : bf16ToNumber;
      return Float32Array.from(storage, (bits) => decode(bits));
    },
    write(tensor: DeviceTensor, values: ArrayLike<number>): void {
      checkTensor('write', 'tensor', tensor, 'cuda', undefined, 'any');
      writeValues('write', tensor, values);
    },
    copy(dst: DeviceTensor, src: DeviceTensor): void {
      const shape = checkTensor('copy', 'src', src, 'cuda', undefined, 'any');
      checkTensor('copy', 'dst', dst, 'cuda', shape, src.dtype);
      module.copy(bufferOf(module, dst), bufferOf(module, src), (src as CudaTensor).byteLength);
    },
    fill(tensor: DeviceTensor, value: number): void {
      checkTensor('fill', 'tensor', tensor, 'cuda', undefined, 'any');
      module.fill(
        bufferOf(module, tensor),
        tensor.size,
        tensor.dtype === 'f32' ? 4 : 2,
        bitPattern(value, tensor.dtype),
      );
    },
    synchronize(): void {
      module.synchronize();
    },
  };
}
