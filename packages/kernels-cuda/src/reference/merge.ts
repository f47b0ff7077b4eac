/** W ← W + s·B·A (W [out, in]); with fanInFanOut, W is [in, out] and gains s·(B·A)ᵀ. fp64 sums. */
import type { DeviceTensor } from '../device-tensor.js';
import { validateMerge } from '../validate/merge.js';
import { hostData } from './host-data.js';

export function referenceMerge(args: {
  weight: DeviceTensor;
  loraA: DeviceTensor;
  loraB: DeviceTensor;
  scale: number;
  fanInFanOut?: boolean;
}): void {
  const { outFeatures, inFeatures, r } = validateMerge('merge', 'reference', args);
  const weight = hostData(args.weight);
  const loraA = hostData(args.loraA);
  const loraB = hostData(args.loraB);
  for (let o = 0; o < outFeatures; o++) {
    for (let i = 0; i < inFeatures; i++) {
      let sum = 0;
      for (let k = 0; k < r; k++) sum += (loraB[o * r + k] as number) * (loraA[k * inFeatures + i] as number);
      const index = args.fanInFanOut ? i * outFeatures + o : o * inFeatures + i;
      weight[index] = (weight[index] as number) + args.scale * sum;
    }
  }
}
