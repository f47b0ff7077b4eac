/**
 * The reference implementation of an op, made to run on cpu tensors without copying: the cpu backend uses it for
 * any op the loaded addon lacks (an addon built from older sources), so the backend is always complete.
 * Every HostTensor in the arguments (top level, inside argument objects and arrays such as adapter lists) is
 * checked to belong to `cpu` and be alive, then replaced by a `reference`-owned view of the same storage — one
 * view per tensor per call, so a documented alias (add's out = a) stays an alias. The reference op then validates
 * shapes (its errors name the op) and computes in place.
 */
import { BackendError } from '@lorakit/core';
import type { Backend } from '../backend.js';
import { describeShape } from '../check-tensor.js';
import type { DeviceTensor } from '../device-tensor.js';
import { HostTensor } from '../host-tensor.js';
import type { Ops } from '../ops.js';

type View = (value: unknown, depth: number) => unknown;

function viewer(op: string): View {
  const views = new Map<DeviceTensor, DeviceTensor>();
  const view: View = (value, depth) => {
    if (value instanceof HostTensor) {
      if (value.backend !== 'cpu') {
        throw new BackendError(
          'BACKEND_MISMATCH',
          `${op}: a tensor ${describeShape(value.shape)} belongs to the ${value.backend} backend, not cpu`,
          {
            fix: 'create every tensor of one computation on the same backend',
          },
        );
      }
      if (value.disposed)
        throw new BackendError(
          'TENSOR_DISPOSED',
          `${op}: a tensor ${describeShape(value.shape)} was used after dispose()`,
        );
      let tensor = views.get(value);
      if (tensor === undefined) {
        tensor = new HostTensor('reference', value.shape, value.dtype, value.storage);
        views.set(value, tensor);
      }
      return tensor;
    }
    if (depth >= 3 || value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
    if (Array.isArray(value)) return value.map((element: unknown) => view(element, depth + 1));
    if (Object.getPrototypeOf(value) !== Object.prototype) return value;
    return Object.fromEntries(Object.entries(value).map(([key, element]) => [key, view(element, depth + 1)]));
  };
  return view;
}

/** `reference`'s op `name`, taking cpu tensors. */
export function referenceFallback<Name extends keyof Ops>(reference: Backend, name: Name): Ops[Name] {
  const op = reference[name] as (...args: unknown[]) => unknown;
  return ((...args: unknown[]): unknown => {
    const view = viewer(name);
    return op.apply(
      reference,
      args.map((argument) => view(argument, 0)),
    );
  }) as Ops[Name];
}
