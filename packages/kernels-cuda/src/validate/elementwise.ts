/**
 * Index: validateSiluMul(op, backend, out, gate, up) → { size },
 *        validateSiluMulBackward(op, backend, args) → { size },
 *        validateAdd(op, backend, out, a, b) → { size }.
 * Every tensor of one call has the same shape (any rank). add's out may be a (in-place residual); no other alias.
 */
import { checkTensor, describeShape } from '../check-tensor.js';
import type { BackendName, DeviceTensor } from '../device-tensor.js';
import { checkNotAliased, checkShape } from './check-arguments.js';

export function validateSiluMul(
  op: string,
  backend: BackendName,
  out: DeviceTensor,
  gate: DeviceTensor,
  up: DeviceTensor,
): { size: number } {
  const shape = checkTensor(op, 'gate', gate, backend);
  const context = `for gate ${describeShape(shape)}`;
  checkShape(op, 'up', up, backend, shape, context);
  checkShape(op, 'out', out, backend, shape, context);
  checkNotAliased(op, { out }, { gate, up });
  return { size: gate.size };
}

export function validateSiluMulBackward(
  op: string,
  backend: BackendName,
  args: { dGate: DeviceTensor; dUp: DeviceTensor; dy: DeviceTensor; gate: DeviceTensor; up: DeviceTensor },
): { size: number } {
  const shape = checkTensor(op, 'gate', args.gate, backend);
  const context = `for gate ${describeShape(shape)}`;
  for (const name of ['up', 'dy', 'dGate', 'dUp'] as const)
    checkShape(op, name, args[name], backend, shape, context);
  checkNotAliased(op, { dGate: args.dGate, dUp: args.dUp }, { dy: args.dy, gate: args.gate, up: args.up });
  return { size: args.gate.size };
}

export function validateAdd(
  op: string,
  backend: BackendName,
  out: DeviceTensor,
  a: DeviceTensor,
  b: DeviceTensor,
): { size: number } {
  const shape = checkTensor(op, 'a', a, backend);
  const context = `for a ${describeShape(shape)}`;
  checkShape(op, 'b', b, backend, shape, context);
  checkShape(op, 'out', out, backend, shape, context);
  checkNotAliased(op, { out }, { a, b }, [['out', 'a']]);
  return { size: a.size };
}
