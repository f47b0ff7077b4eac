/**
 * Runs one op on a backend with tensors made from host values, reads every tensor back and disposes them, so a
 * parity test is "run on the reference, run on the backend, compare" in three lines.
 */
import type { Backend } from '../backend.js';
import type { DeviceDType, DeviceTensor } from '../device-tensor.js';

/** A shape (zeros) or values with their shape. */
export type TensorSpec =
  readonly number[] | { values: ArrayLike<number>; shape: readonly number[]; dtype?: DeviceDType };

function isShape(spec: TensorSpec): spec is readonly number[] {
  return Array.isArray(spec);
}

export function withTensors<Names extends string>(
  backend: Backend,
  specs: Readonly<Record<Names, TensorSpec>>,
  body: (tensors: Record<Names, DeviceTensor>) => void,
): Record<Names, Float32Array> {
  const tensors = {} as Record<Names, DeviceTensor>;
  const results = {} as Record<Names, Float32Array>;
  const names = Object.keys(specs) as Names[];
  try {
    for (const name of names) {
      const spec: TensorSpec = specs[name];
      tensors[name] = isShape(spec)
        ? backend.zeros(spec)
        : backend.fromArray(spec.values, spec.shape, spec.dtype);
    }
    body(tensors);
    backend.synchronize();
    for (const name of names) results[name] = backend.toArray(tensors[name]);
  } finally {
    for (const name of names) tensors[name]?.dispose();
  }
  return results;
}
