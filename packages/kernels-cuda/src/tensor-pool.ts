/**
 * Reuses tensors between iterations of a hot loop: `acquire` hands out a tensor of the shape and dtype asked for,
 * taking it from the free list when one was released; `releaseAll` returns every tensor handed out since the last
 * call. A training step that acquires the same shapes each time allocates nothing after the first step.
 */
import type { Backend } from './backend.js';
import type { DeviceDType, DeviceTensor } from './device-tensor.js';

export class TensorPool implements Disposable {
  readonly #backend: Backend;
  readonly #free = new Map<string, DeviceTensor[]>();
  readonly #inUse: [string, DeviceTensor][] = [];
  #allocations = 0;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** How many tensors the pool has created so far (for tests that check a loop stops allocating). */
  get allocations(): number {
    return this.#allocations;
  }

  /** A tensor of this shape and dtype; its contents are whatever the last user left (not zeroed). */
  acquire(shape: readonly number[], dtype: DeviceDType = 'f32'): DeviceTensor {
    const key = `${dtype}:${shape.join('x')}`;
    let tensor = this.#free.get(key)?.pop();
    if (!tensor) {
      tensor = this.#backend.zeros(shape, dtype);
      this.#allocations++;
    }
    this.#inUse.push([key, tensor]);
    return tensor;
  }

  /** Makes every tensor acquired since the last call available again. */
  releaseAll(): void {
    for (const [key, tensor] of this.#inUse) {
      const list = this.#free.get(key) ?? [];
      list.push(tensor);
      this.#free.set(key, list);
    }
    this.#inUse.length = 0;
  }

  dispose(): void {
    this.releaseAll();
    for (const list of this.#free.values()) for (const tensor of list) tensor.dispose();
    this.#free.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
