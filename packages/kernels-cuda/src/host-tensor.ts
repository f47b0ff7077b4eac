/**
 * Tensors in host memory, used by the `reference` and `cpu` backends: f32 data in a Float32Array, f16/bf16 as
 * raw 16-bit patterns in a Uint16Array. Native code receives these arrays without copying.
 */
import { BackendError } from '@lorakit/core';
import type { BackendName, DeviceDType, DeviceTensor } from './device-tensor.js';

export class HostTensor implements DeviceTensor {
  readonly backend: BackendName;
  readonly shape: readonly number[];
  readonly dtype: DeviceDType;
  readonly size: number;
  #data: Float32Array | Uint16Array | undefined;

  constructor(
    backend: BackendName,
    shape: readonly number[],
    dtype: DeviceDType,
    data?: Float32Array | Uint16Array,
  ) {
    this.backend = backend;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = shape.reduce((product, dimension) => product * dimension, 1);
    this.#data = data ?? (dtype === 'f32' ? new Float32Array(this.size) : new Uint16Array(this.size));
  }

  get disposed(): boolean {
    return this.#data === undefined;
  }

  /** The f32 storage; throws for f16/bf16 tensors (cast them first) and after dispose. */
  get f32(): Float32Array {
    const data = this.storage;
    if (!(data instanceof Float32Array)) {
      throw new BackendError(
        'INVALID_ARGUMENT',
        `tensor ${JSON.stringify(this.shape)} is ${this.dtype}; host ops compute in f32`,
        {
          fix: 'cast it to an f32 tensor first (ops.cast)',
        },
      );
    }
    return data;
  }

  /** The raw storage (Float32Array for f32, Uint16Array of bit patterns for f16/bf16). */
  get storage(): Float32Array | Uint16Array {
    if (this.#data === undefined) {
      throw new BackendError(
        'TENSOR_DISPOSED',
        `tensor ${JSON.stringify(this.shape)} (${this.dtype}) was used after dispose()`,
      );
    }
    return this.#data;
  }

  dispose(): void {
    this.#data = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
