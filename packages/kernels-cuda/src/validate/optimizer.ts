/**
 * Index: validateAdamW(op, backend, args) → { size },
 *        validateSumOfSquares(op, backend, tensors) → { size } (total elements),
 *        validateScale(op, backend, x, factor) → { size }.
 * AdamW: param, grad, m, v the same shape (f32, four distinct tensors); step an integer ≥ 1; lr ≥ 0;
 * β1, β2 ∈ [0, 1); eps > 0; weightDecay ≥ 0.
 */
import { checkTensor, describeShape } from '../check-tensor.js';
import type { BackendName, DeviceTensor } from '../device-tensor.js';
import type { AdamWArgs } from '../ops.js';
import { checkNotAliased, checkNumber, checkShape } from './check-arguments.js';

export function validateAdamW(op: string, backend: BackendName, args: AdamWArgs): { size: number } {
  const shape = checkTensor(op, 'param', args.param, backend);
  const context = `for param ${describeShape(shape)}`;
  checkShape(op, 'grad', args.grad, backend, shape, context);
  checkShape(op, 'm', args.m, backend, shape, context);
  checkShape(op, 'v', args.v, backend, shape, context);
  checkNumber(op, 'step', args.step, { min: 1, integer: true });
  checkNumber(op, 'lr', args.lr, { min: 0 });
  checkNumber(op, 'beta1', args.beta1, { min: 0, max: 1 });
  checkNumber(op, 'beta2', args.beta2, { min: 0, max: 1 });
  checkNumber(op, 'eps', args.eps, { min: 0, minExclusive: true });
  checkNumber(op, 'weightDecay', args.weightDecay, { min: 0 });
  checkNotAliased(op, { param: args.param, m: args.m, v: args.v }, { grad: args.grad });
  return { size: args.param.size };
}

export function validateSumOfSquares(
  op: string,
  backend: BackendName,
  tensors: readonly DeviceTensor[],
): { size: number } {
  let size = 0;
  tensors.forEach((tensor, index) => {
    checkTensor(op, `tensors[${index}]`, tensor, backend);
    size += tensor.size;
  });
  return { size };
}

export function validateScale(
  op: string,
  backend: BackendName,
  x: DeviceTensor,
  factor: number,
): { size: number } {
  checkTensor(op, 'x', x, backend);
  checkNumber(op, 'factor', factor);
  return { size: x.size };
}
