/**
 * Peak training memory per GPU as a sum of named parts (each part's formula is in its own file):
 *   weights + gradients + optimizer + activations + overhead,
 * with the parts the sharding strategy splits divided by the GPU count. ZeRO-3/FSDP add the gathered
 * unsharded layer being computed and the one prefetched, 2 × (unsharded weights / layers). A paged optimizer
 * whose state does not fit beside the rest is counted in CPU RAM (`offloadedOptimizer`), not on the GPU.
 */
import { ConfigError, nearestNames } from '@lorakit/core';
import { activationMemory } from './activation-memory.js';
import { FRAMEWORK_OVERHEAD_BYTES } from './framework-overhead.js';
import { gradientMemory } from './gradient-memory.js';
import type { ModelShape } from './model-shape.js';
import { optimizerMemory, resolveOptimizer } from './optimizer-memory.js';
import type { OptimizerName } from './optimizers.js';
import { SHARDING_STRATEGIES } from './sharding.js';
import type { ShardingName, ShardingSpec } from './sharding.js';
import type { TrainingMethod } from './trainable-parameters.js';
import { DTYPE_BYTES } from './weight-dtype.js';
import type { WeightDtype } from './weight-dtype.js';
import { weightMemory } from './weight-memory.js';

export interface MemoryOptions {
  method: TrainingMethod;
  /** From trainableParameters(): all parameters for full, the adapter's for LoRA/QLoRA. */
  trainableParameters: number;
  /** Tokens per sequence (default 2048). */
  sequenceLength?: number;
  /** Sequences per micro-batch on each GPU (default 1). */
  batchSize?: number;
  /** GPUs (default 1). */
  gpus?: number;
  /** Default: none on one GPU, fsdp on several. */
  sharding?: ShardingName;
  /** Base weights' storage (default bf16). */
  weightDtype?: WeightDtype;
  /** Trainable weights' storage and gradients: default weightDtype for full, fp32 for adapters (PEFT). */
  trainableDtype?: WeightDtype;
  /** fp32 master copy of 16-bit trainable weights; default true for full fine-tuning in bf16/fp16. */
  masterWeights?: boolean;
  /** Default adamw. */
  optimizer?: OptimizerName;
  optimizerInBackward?: boolean;
  /** Activation checkpointing (default false). */
  checkpointing?: boolean;
  /** Bytes per activation; default 4 when weights are fp32, else 2. */
  activationBytes?: number;
  /** The loss upcasts logits to fp32 in this many chunks (default 1). */
  lossChunks?: number;
  /** GPU memory, needed to decide whether a paged optimizer spills to CPU. */
  gpuMemoryBytes?: number;
  /** Default FRAMEWORK_OVERHEAD_BYTES. */
  overheadBytes?: number;
}

/** Bytes per GPU; `total` is the sum of the five parts. */
export interface MemoryBreakdown {
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  overhead: number;
  total: number;
  /** Optimizer bytes a paged optimizer moved to CPU RAM (0 when it fits or is not paged). */
  offloadedOptimizer: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError('CONFIG_INVALID', `${name} is ${String(value)}`, {
      fix: `set ${name} to a positive integer`,
    });
  }
  return value;
}

export function resolveSharding(name: string): ShardingSpec {
  if (Object.hasOwn(SHARDING_STRATEGIES, name)) return SHARDING_STRATEGIES[name as ShardingName];
  const nearest = nearestNames(name, Object.keys(SHARDING_STRATEGIES)).join(', ');
  throw new ConfigError('CONFIG_INVALID', `unknown sharding "${name}"; nearest: ${nearest}`, {
    fix: `use one of ${Object.keys(SHARDING_STRATEGIES).join(', ')}`,
  });
}

export function estimateMemory(shape: ModelShape, options: MemoryOptions): MemoryBreakdown {
  const gpus = positiveInteger('gpus', options.gpus ?? 1);
  const sequenceLength = positiveInteger('sequence length', options.sequenceLength ?? 2048);
  const batchSize = positiveInteger('batch size', options.batchSize ?? 1);
  const shardingName = options.sharding ?? (gpus === 1 ? 'none' : 'fsdp');
  const sharding = resolveSharding(shardingName);
  if (sharding.splitsLayers && gpus > shape.layers) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `pipeline over ${gpus} GPUs but the model has ${shape.layers} layers`,
      {
        fix: `use at most ${shape.layers} GPUs for pipeline parallelism, or shard with fsdp/zero-3`,
      },
    );
  }
  const full = options.method === 'full';
  const weightDtype = options.weightDtype ?? 'bf16';
  const trainableDtype = options.trainableDtype ?? (full ? weightDtype : 'fp32');
  const optimizer = options.optimizer ?? 'adamw';
  const masterWeights = options.masterWeights ?? (full && weightDtype !== 'fp32');
  const trainable = options.trainableParameters;

  const unshardedWeights = weightMemory(shape, {
    method: options.method,
    trainableParameters: trainable,
    weightDtype,
    trainableDtype,
  });
  const gathered = sharding.gathersLayers && gpus > 1 ? (2 * unshardedWeights) / shape.layers : 0;
  const weights = (sharding.weights ? unshardedWeights / gpus : unshardedWeights) + gathered;
  const unshardedGradients = gradientMemory({
    trainableParameters: trainable,
    trainableDtype,
    optimizerInBackward: options.optimizerInBackward ?? false,
    largestTensorParameters: full ? shape.largestTensorParameters : trainable,
  });
  const gradients = sharding.gradients ? unshardedGradients / gpus : unshardedGradients;
  const unshardedOptimizer = optimizerMemory({ trainableParameters: trainable, optimizer, masterWeights });
  let optimizerBytes = sharding.optimizer ? unshardedOptimizer / gpus : unshardedOptimizer;
  const activations = activationMemory(shape, {
    sequenceLength,
    batchSize,
    activationBytes: options.activationBytes ?? (weightDtype === 'fp32' ? 4 : DTYPE_BYTES[weightDtype]),
    checkpointing: options.checkpointing ?? false,
    lossChunks: options.lossChunks ?? 1,
  }).total;
  const overhead = options.overheadBytes ?? FRAMEWORK_OVERHEAD_BYTES;

  let offloadedOptimizer = 0;
  const withoutOptimizer = weights + gradients + activations + overhead;
  const budget = options.gpuMemoryBytes;
  if (
    resolveOptimizer(optimizer).paged &&
    budget !== undefined &&
    withoutOptimizer + optimizerBytes > budget
  ) {
    offloadedOptimizer = optimizerBytes;
    optimizerBytes = 0;
  }
  return {
    weights,
    gradients,
    optimizer: optimizerBytes,
    activations,
    overhead,
    total: withoutOptimizer + optimizerBytes,
    offloadedOptimizer,
  };
}
