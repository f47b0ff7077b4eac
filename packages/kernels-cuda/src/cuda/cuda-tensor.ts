/**
 * A tensor in CUDA device memory: a device buffer of the addon (allocated through its caching allocator) plus
 * shape and dtype. dispose() returns the memory to the cache; a tensor that is never disposed is returned when
 * the handle is garbage-collected, but hot loops should dispose (or pool) explicitly.
 */
import { BackendError } from '@lorakit/core';
import type { BackendName, DeviceDType, DeviceTensor } from '../device-tensor.js';
import type { CudaBufferHandle, CudaModule } from './cuda-module.js';

/** Bytes per element of each dtype. */
export const DTYPE_BYTES = { f32: 4, f16: 2, bf16: 2 } as const satisfies Record<DeviceDType, number>;

export class CudaTensor implements DeviceTensor {
  readonly backend: BackendName = 'cuda';
  readonly shape: readonly number[];
  readonly dtype: DeviceDType;
  readonly size: number;
  /** The addon that owns the buffer: a tensor of one cuda backend (device or emulation) is refused by another. */
  readonly module: CudaModule;
  #handle: CudaBufferHandle | undefined;

  constructor(module: CudaModule, shape: readonly number[], dtype: DeviceDType) {
    this.module = module;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = shape.reduce((product, dimension) => product * dimension, 1);
    this.#handle = module.allocate(this.byteLength);
  }

  get byteLength(): number {
    return this.size * DTYPE_BYTES[this.dtype];
  }

  get disposed(): boolean {
    return this.#handle === undefined;
  }

  /** The device buffer; throws TENSOR_DISPOSED after dispose. */
  get handle(): CudaBufferHandle {
    if (this.#handle === undefined) {
      throw new BackendError(
        'TENSOR_DISPOSED',
        `tensor ${JSON.stringify(this.shape)} (${this.dtype}) was used after dispose()`,
      );
    }
    return this.#handle;
  }

  dispose(): void {
    if (this.#handle === undefined) return;
    const handle = this.#handle;
    this.#handle = undefined;
    this.module.free(handle);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
