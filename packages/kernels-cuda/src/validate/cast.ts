/**
 * Index: validateCast(op, backend, out, x) → { size }.
 * out and x have the same shape, any of f32/f16/bf16 each, and are different tensors.
 */
import { checkTensor, describeShape } from '../check-tensor.js';
import type { BackendName, DeviceTensor } from '../device-tensor.js';
import { checkNotAliased, checkShape } from './check-arguments.js';

export function validateCast(
  op: string,
  backend: BackendName,
  out: DeviceTensor,
  x: DeviceTensor,
): { size: number } {
  const shape = checkTensor(op, 'x', x, backend, undefined, 'any');
  checkShape(op, 'out', out, backend, shape, `for x ${describeShape(shape)}`, 'any');
  checkNotAliased(op, { out }, { x });
  return { size: x.size };
}
