/**
 * Keys and values of past positions, per layer, for decoding: [batch, maxLength, kvHeads, headDim] each.
 * `lengths[b]` counts the positions stored for sequence b; the model's forward appends and advances it.
 */
import { MathError } from '@lorakit/core';
import type { Backend, DeviceTensor } from '@lorakit/kernels-cuda';

export class KvCache implements Disposable {
  readonly batch: number;
  readonly maxLength: number;
  /** Positions stored per sequence; advanced by Model.forward. */
  readonly lengths: Int32Array;
  /** Per layer [batch, maxLength, kvHeads, headDim]. */
  readonly keys: readonly DeviceTensor[];
  readonly values: readonly DeviceTensor[];
  readonly #onDispose: (cache: KvCache) => void;
  #disposed = false;

  constructor(
    backend: Backend,
    shape: { batch: number; maxLength: number; layers: number; kvHeads: number; headDim: number },
    onDispose: (cache: KvCache) => void = () => {},
  ) {
    for (const [key, value] of [
      ['batch', shape.batch],
      ['maxLength', shape.maxLength],
    ] as const) {
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw new MathError(
          'INVALID_ARGUMENT',
          `createKvCache: ${key} must be a positive integer, got ${value}`,
        );
      }
    }
    this.batch = shape.batch;
    this.maxLength = shape.maxLength;
    this.lengths = new Int32Array(shape.batch);
    const tensorShape = [shape.batch, shape.maxLength, shape.kvHeads, shape.headDim];
    const keys: DeviceTensor[] = [];
    const values: DeviceTensor[] = [];
    for (let layer = 0; layer < shape.layers; layer++) {
      keys.push(backend.zeros(tensorShape));
      values.push(backend.zeros(tensorShape));
    }
    this.keys = keys;
    this.values = values;
    this.#onDispose = onDispose;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Forgets every stored position (keeps the memory for the next sequence). */
  reset(): void {
    this.lengths.fill(0);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const tensor of [...this.keys, ...this.values]) tensor.dispose();
    this.#onDispose(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
