/**
 * Bytes of optimizer state before sharding: trainable parameters × (the optimizer's state bytes + 4 for an
 * fp32 master copy when training keeps 16-bit weights in mixed precision). This is the ZeRO paper's
 * accounting (Rajbhandari et al. 2020, §3.1: K = 12 bytes per parameter for Adam = fp32 master + two fp32
 * moments). Assumption: full fine-tuning with bf16/fp16 weights keeps an fp32 master copy (mixed precision,
 * as DeepSpeed and Megatron do) unless told otherwise; pure-bf16 recipes (torchtune) and fp32 training have none,
 * and LoRA adapters are already fp32 by default.
 */
import { ConfigError, nearestNames } from '@lorakit/core';
import { OPTIMIZERS } from './optimizers.js';
import type { OptimizerName, OptimizerSpec } from './optimizers.js';

export interface OptimizerMemoryOptions {
  trainableParameters: number;
  optimizer: OptimizerName;
  /** Keep an fp32 master copy of the trainable weights (4 bytes per parameter). */
  masterWeights: boolean;
}

/** The optimizer entry by name; CONFIG_INVALID with the nearest names otherwise. */
export function resolveOptimizer(name: string): OptimizerSpec {
  if (Object.hasOwn(OPTIMIZERS, name)) return OPTIMIZERS[name as OptimizerName];
  const nearest = nearestNames(name, Object.keys(OPTIMIZERS)).join(', ');
  throw new ConfigError('CONFIG_INVALID', `unknown optimizer "${name}"; nearest: ${nearest}`, {
    fix: `use one of ${Object.keys(OPTIMIZERS).join(', ')}`,
  });
}

export function optimizerMemory(options: OptimizerMemoryOptions): number {
  const spec = resolveOptimizer(options.optimizer);
  return options.trainableParameters * (spec.stateBytesPerParameter + (options.masterWeights ? 4 : 0));
}
