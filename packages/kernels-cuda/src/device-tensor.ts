/**
 * A tensor that lives in a backend's memory (host memory for `reference` and `cpu`, device memory for `cuda`).
 * Row-major and contiguous. Tensors are disposed explicitly: a backend never frees one behind the caller's back,
 * and using a disposed tensor is a typed error, never a crash.
 */

export type DeviceDType = 'f32' | 'f16' | 'bf16';
export type BackendName = 'reference' | 'cpu' | 'cuda';

export interface DeviceTensor extends Disposable {
  /** The backend that owns the memory; ops refuse tensors of another backend. */
  readonly backend: BackendName;
  readonly shape: readonly number[];
  readonly dtype: DeviceDType;
  /** Number of elements (product of the shape). */
  readonly size: number;
  readonly disposed: boolean;
  /** Identity of the memory the tensor uses: the same object for a tensor and every view of it (Backend.view). */
  readonly memory: object;
  dispose(): void;
}
