/**
 * AdamW as torch.optim.AdamW (decoupled weight decay), in fp64 per element, in place:
 *   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *   p ← p − (lr / (1−β1^t))·m / (√v / √(1−β2^t) + eps).
 * Also the gradient-norm helpers: Σx² over tensors (fp64) and in-place scaling.
 */
import type { DeviceTensor } from '../device-tensor.js';
import type { AdamWArgs } from '../ops.js';
import { validateAdamW, validateScale, validateSumOfSquares } from '../validate/optimizer.js';
import { hostData } from './host-data.js';

export function referenceAdamW(args: AdamWArgs): void {
  const { size } = validateAdamW('adamw', 'reference', args);
  const param = hostData(args.param);
  const grad = hostData(args.grad);
  const m = hostData(args.m);
  const v = hostData(args.v);
  const { lr, beta1, beta2, eps, weightDecay, step } = args;
  const stepSize = lr / (1 - beta1 ** step);
  const secondCorrectionRoot = Math.sqrt(1 - beta2 ** step);
  const decay = 1 - lr * weightDecay;
  for (let i = 0; i < size; i++) {
    const g = grad[i] as number;
    const first = beta1 * (m[i] as number) + (1 - beta1) * g;
    const second = beta2 * (v[i] as number) + (1 - beta2) * g * g;
    m[i] = first;
    v[i] = second;
    param[i] =
      (param[i] as number) * decay - (stepSize * first) / (Math.sqrt(second) / secondCorrectionRoot + eps);
  }
}

export function referenceSumOfSquares(tensors: readonly DeviceTensor[]): number {
  validateSumOfSquares('sumOfSquares', 'reference', tensors);
  let sum = 0;
  for (const tensor of tensors) for (const value of hostData(tensor)) sum += value * value;
  return sum;
}

export function referenceScale(x: DeviceTensor, factor: number): void {
  validateScale('scale', 'reference', x, factor);
  const data = hostData(x);
  for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) * factor;
}
