/** A backend: memory (tensors) plus the ops. `reference`, `cpu` and `cuda` implement it; see select-backend.ts. */
import type { BackendName, DeviceDType, DeviceTensor } from './device-tensor.js';
import type { Ops } from './ops.js';

export interface Backend extends Ops, Disposable {
  readonly name: BackendName;
  /** One line for logs: "cpu: AVX2/FMA, 2 threads" */
  readonly description: string;
  /** A new tensor holding `values` (converted to `dtype`, default f32). */
  fromArray(values: ArrayLike<number>, shape: readonly number[], dtype?: DeviceDType): DeviceTensor;
  /** A new zero-filled tensor. */
  zeros(shape: readonly number[], dtype?: DeviceDType): DeviceTensor;
  /**
   * The same elements as `tensor` under another shape (row-major, so e.g. [T, heads·headDim] ↔ [T, heads, headDim]
   * ↔ [B, T/B, heads, headDim]), sharing its memory: writes through either are seen by the other, no copy is made.
   * The element counts must match (ShapeError SHAPE_MISMATCH naming both shapes otherwise); the dtype is kept.
   * Disposing the view frees nothing; disposing the base (or its base, for a view of a view) makes every op on the
   * view a TENSOR_DISPOSED error, never a read of freed memory.
   */
  view(tensor: DeviceTensor, shape: readonly number[]): DeviceTensor;
  /** The tensor's values as a new Float32Array (waits for pending work). */
  toArray(tensor: DeviceTensor): Float32Array;
  /** Overwrites a tensor from host values. */
  write(tensor: DeviceTensor, values: ArrayLike<number>): void;
  /** dst ← src (same shape and dtype). */
  copy(dst: DeviceTensor, src: DeviceTensor): void;
  fill(tensor: DeviceTensor, value: number): void;
  /** Waits until queued work is done (a no-op on host backends). */
  synchronize(): void;
  /** Frees what the backend holds (tensors stay the caller's to dispose). */
  dispose(): void;
}
