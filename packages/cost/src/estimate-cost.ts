/**
 * Everything `lorakit cost` reports for one plan, from a model config: parameters (trainable-parameters.ts),
 * memory per GPU by part (estimate-memory.ts), FLOPs (training-flops.ts), hours and dollars (training-time.ts),
 * and storage: the adapter at this rank and targets vs the full checkpoint, both in `storageDtype`.
 */
import type { LoraConfig, ModelConfig } from '@lorakit/core';
import type { GpuSpec } from './gpu-catalog.js';
import { estimateMemory } from './estimate-memory.js';
import type { MemoryBreakdown, MemoryOptions } from './estimate-memory.js';
import { modelShape } from './model-shape.js';
import { resolveGpu } from './resolve-gpu.js';
import { trainableParameters } from './trainable-parameters.js';
import type { TrainingMethod } from './trainable-parameters.js';
import { trainingFlops } from './training-flops.js';
import { trainingTime } from './training-time.js';
import { DTYPE_BYTES } from './weight-dtype.js';
import type { WeightDtype } from './weight-dtype.js';

export interface CostOptions extends Omit<
  MemoryOptions,
  'method' | 'trainableParameters' | 'gpuMemoryBytes'
> {
  method: TrainingMethod;
  /** LoRA rank (default 16). */
  rank?: number;
  /** Module names or "all-linear" (default q_proj, k_proj, v_proj, o_proj). */
  targets?: LoraConfig['target_modules'];
  /** A GPU_CATALOG name or a custom spec (default a100-80gb). */
  gpu?: string | GpuSpec;
  /** Training tokens in all (default 1e6). */
  tokens?: number;
  /** Model FLOPs utilisation (default 0.4). */
  utilisation?: number;
  /** dtype of saved adapters and checkpoints (default bf16). */
  storageDtype?: WeightDtype;
}

export interface CostEstimate {
  totalParameters: number;
  trainableParameters: number;
  /** The LoRA adapter's parameters at this rank and targets. */
  adapterParameters: number;
  memory: MemoryBreakdown;
  gpu: GpuSpec;
  /** memory.total ≤ the GPU's memory. */
  fits: boolean;
  trainFlops: number;
  hours: number;
  usd: number;
  /** Bytes of the LoRA adapter file's tensors (what each LoRA/QLoRA customisation stores). */
  adapterBytes: number;
  /** Bytes of a full checkpoint (what each full fine-tune stores). */
  checkpointBytes: number;
}

export function estimateCost(config: ModelConfig, options: CostOptions): CostEstimate {
  const shape = modelShape(config);
  const counts = trainableParameters(config, {
    method: options.method,
    ...(options.rank === undefined ? {} : { rank: options.rank }),
    ...(options.targets === undefined ? {} : { targets: options.targets }),
  });
  const gpu = resolveGpu(options.gpu ?? 'a100-80gb');
  const gpus = options.gpus ?? 1;
  const memory = estimateMemory(shape, {
    ...options,
    trainableParameters: counts.trainable,
    gpuMemoryBytes: gpu.memoryBytes,
  });
  const trainFlops = trainingFlops(shape, {
    method: options.method,
    tokens: options.tokens ?? 1e6,
    trainableParameters: counts.adapter,
    sequenceLength: options.sequenceLength ?? 2048,
    checkpointing: options.checkpointing ?? false,
  });
  const time = trainingTime(trainFlops, {
    gpu,
    gpus,
    ...(options.utilisation === undefined ? {} : { utilisation: options.utilisation }),
  });
  const storage = DTYPE_BYTES[options.storageDtype ?? 'bf16'];
  return {
    totalParameters: counts.total,
    trainableParameters: counts.trainable,
    adapterParameters: counts.adapter,
    memory,
    gpu,
    fits: memory.total <= gpu.memoryBytes,
    trainFlops,
    hours: time.hours,
    usd: time.usd,
    adapterBytes: counts.adapter * storage,
    checkpointBytes: counts.total * storage,
  };
}
