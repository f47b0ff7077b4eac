/**
 * Index: validateMerge(op, backend, args) → { outFeatures, inFeatures, r }.
 * loraA [r, in], loraB [out, r]; weight [out, in], or [in, out] with fanInFanOut (GPT-2 Conv1D layout).
 */
import { checkRank, describeShape } from '../check-tensor.js';
import type { BackendName, DeviceTensor } from '../device-tensor.js';
import { checkNotAliased, checkNumber, checkShape } from './check-arguments.js';

export interface MergeDimensions {
  outFeatures: number;
  inFeatures: number;
  r: number;
}

export function validateMerge(
  op: string,
  backend: BackendName,
  args: {
    weight: DeviceTensor;
    loraA: DeviceTensor;
    loraB: DeviceTensor;
    scale: number;
    fanInFanOut?: boolean;
  },
): MergeDimensions {
  const [r, inFeatures] = checkRank(op, 'loraA', args.loraA, backend, 2) as [number, number];
  const [outFeatures] = checkRank(op, 'loraB', args.loraB, backend, 2) as [number];
  const context = `for loraA ${describeShape(args.loraA.shape)}, loraB ${describeShape(args.loraB.shape)}`;
  checkShape(op, 'loraB', args.loraB, backend, [outFeatures, r], context);
  checkShape(
    op,
    'weight',
    args.weight,
    backend,
    args.fanInFanOut ? [inFeatures, outFeatures] : [outFeatures, inFeatures],
    context,
  );
  checkNumber(op, 'scale', args.scale);
  checkNotAliased(op, { weight: args.weight }, { loraA: args.loraA, loraB: args.loraB });
  return { outFeatures, inFeatures, r };
}
