/**
 * Bytes of gradients before sharding: one gradient per trainable parameter in the trainable dtype
 * (ZeRO paper, Rajbhandari et al. 2020, §3.1: 2Ψ bytes for fp16 gradients). Frozen weights get none.
 * With the optimizer step fused into the backward pass (PyTorch `register_post_accumulate_grad_hook`, as
 * torchtune's optimizer_in_bwd does) each gradient is freed once applied, so at most the largest tensor's
 * gradient lives at a time.
 */
import { DTYPE_BYTES } from './weight-dtype.js';
import type { WeightDtype } from './weight-dtype.js';

export interface GradientMemoryOptions {
  trainableParameters: number;
  trainableDtype: WeightDtype;
  /** Step each parameter as soon as its gradient is ready (default false). */
  optimizerInBackward?: boolean;
  /** Elements of the largest trainable tensor; needed with optimizerInBackward. */
  largestTensorParameters?: number;
}

export function gradientMemory(options: GradientMemoryOptions): number {
  const held = options.optimizerInBackward
    ? Math.min(options.trainableParameters, options.largestTensorParameters ?? options.trainableParameters)
    : options.trainableParameters;
  return held * DTYPE_BYTES[options.trainableDtype];
}
