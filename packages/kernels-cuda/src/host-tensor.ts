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
  /** For a view (see view()): the tensor that owns the storage, whose dispose ends the view's life too. */
  #base: HostTensor | undefined;

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

  get memory(): object {
    return this.#base ?? this;
  }

  get disposed(): boolean {
    return this.#data === undefined || this.#base?.disposed === true;
  }

  /**
   * This tensor's storage under another shape of the same size (the caller checks the size: Backend.view). The
   * view hangs off the owning tensor, so a view of a view dies with the original, not with the middle view.
   */
  view(shape: readonly number[]): HostTensor {
    const view = new HostTensor(this.backend, shape, this.dtype, this.storage);
    view.#base = this.#base ?? this;
    return view;
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
    if (this.#data === undefined || this.#base?.disposed === true) {
      const what = this.#data === undefined ? 'dispose()' : 'its base tensor was disposed';
      throw new BackendError(
        'TENSOR_DISPOSED',
        `tensor ${JSON.stringify(this.shape)} (${this.dtype}) was used after ${what}`,
      );
    }
    return this.#data;
  }

  /** Drops this tensor's reference to the storage; a view's dispose leaves its base (and other views) usable. */
  dispose(): void {
    this.#data = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
