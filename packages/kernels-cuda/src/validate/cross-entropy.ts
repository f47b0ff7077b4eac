/**
 * Index: validateCrossEntropy(op, backend, args) → { T, V, ignoreIndex, gradScale }.
 * logits [T, V]; targets: T values in [0, V) or ignoreIndex; losses [T]; dLogits [T, V], which may be the logits
 * tensor itself (the gradient is then written in place).
 */
import { checkIndices, checkRank, describeShape } from '../check-tensor.js';
import type { BackendName } from '../device-tensor.js';
import type { CrossEntropyArgs } from '../ops.js';
import { checkNotAliased, checkNumber, checkShape } from './check-arguments.js';

export interface CrossEntropyDimensions {
  T: number;
  V: number;
  ignoreIndex: number;
  gradScale: number;
}

export function validateCrossEntropy(
  op: string,
  backend: BackendName,
  args: CrossEntropyArgs,
): CrossEntropyDimensions {
  const [T, V] = checkRank(op, 'logits', args.logits, backend, 2) as [number, number];
  const context = `for logits ${describeShape(args.logits.shape)}`;
  checkShape(op, 'losses', args.losses, backend, [T], context);
  if (args.dLogits !== undefined) checkShape(op, 'dLogits', args.dLogits, backend, [T, V], context);
  const ignoreIndex = checkNumber(op, 'ignoreIndex', args.ignoreIndex ?? -100, { integer: true });
  checkIndices(op, 'targets', args.targets, T, 0, V, ignoreIndex);
  const gradScale = checkNumber(op, 'gradScale', args.gradScale ?? 1);
  checkNotAliased(op, { losses: args.losses, dLogits: args.dLogits }, { logits: args.logits }, [
    ['dLogits', 'logits'],
  ]);
  return { T, V, ignoreIndex, gradScale };
}
