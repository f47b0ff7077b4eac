/**
 * A tensor in CUDA device memory: a device buffer of the addon (allocated through its caching allocator) plus
 * shape and dtype. dispose() returns the memory to the cache; a tensor that is never disposed is returned when
 * the handle is garbage-collected, but hot loops should dispose (or pool) explicitly. A view (view()) shares its
 * base's buffer: its dispose frees nothing, and it is dead once the base is disposed (the buffer may be reused).
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
  /** For a view: the tensor that allocated the buffer (holding it also keeps the handle from being collected). */
  readonly #base: CudaTensor | undefined;

  /** A new buffer of shape × dtype, or with `base` a view of base's buffer (the caller checks the size). */
  constructor(module: CudaModule, shape: readonly number[], dtype: DeviceDType, base?: CudaTensor) {
    this.module = module;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = shape.reduce((product, dimension) => product * dimension, 1);
    this.#base = base === undefined ? undefined : (base.#base ?? base);
    this.#handle = base === undefined ? module.allocate(this.byteLength) : base.handle;
  }

  /** This tensor's buffer under another shape of the same size (see Backend.view). */
  view(shape: readonly number[]): CudaTensor {
    return new CudaTensor(this.module, shape, this.dtype, this);
  }

  get byteLength(): number {
    return this.size * DTYPE_BYTES[this.dtype];
  }

  get disposed(): boolean {
    return this.#handle === undefined || this.#base?.disposed === true;
  }

  /** Identity of the device buffer: the base tensor for a view, else this tensor. */
  get memory(): object {
    return this.#base ?? this;
  }

  /** The device buffer; throws TENSOR_DISPOSED after dispose, and for a view after its base's dispose. */
  get handle(): CudaBufferHandle {
    if (this.#handle === undefined || this.#base?.disposed === true) {
      const what = this.#handle === undefined ? 'dispose()' : 'its base tensor was disposed';
      throw new BackendError(
        'TENSOR_DISPOSED',
        `tensor ${JSON.stringify(this.shape)} (${this.dtype}) was used after ${what}`,
      );
    }
    return this.#handle;
  }

  dispose(): void {
    if (this.#handle === undefined) return;
    const handle = this.#handle;
    this.#handle = undefined;
    // Only the owner returns the buffer to the allocator; a view just lets go of it.
    if (this.#base === undefined) this.module.free(handle);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
