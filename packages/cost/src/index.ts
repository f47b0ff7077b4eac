/**
 * @lorakit/cost — what a LoRA, QLoRA or full fine-tune costs before you run it, from a model config alone:
 * parameters, GPU memory by part, FLOPs, hours and dollars, storage, serving TCO, and a method/rank
 * recommendation. Pure TypeScript; every formula is documented with its source in its file.
 */
export { GPU_CATALOG } from './gpu-catalog.js';
export type { GpuName, GpuSpec } from './gpu-catalog.js';
export { resolveGpu } from './resolve-gpu.js';
export { modelShape } from './model-shape.js';
export type { ModelShape } from './model-shape.js';
export { trainableParameters, checkRank, TRAINING_METHODS } from './trainable-parameters.js';
export type {
  TrainableParameters,
  TrainableParametersOptions,
  TrainingMethod,
} from './trainable-parameters.js';
export { DTYPE_BYTES } from './weight-dtype.js';
export type { WeightDtype } from './weight-dtype.js';
export { NF4_BYTES_PER_PARAMETER, NF4_BLOCK_SIZE, NF4_SECOND_BLOCK_SIZE } from './nf4-storage.js';
export { weightMemory } from './weight-memory.js';
export type { WeightMemoryOptions } from './weight-memory.js';
export { gradientMemory } from './gradient-memory.js';
export type { GradientMemoryOptions } from './gradient-memory.js';
export { OPTIMIZERS } from './optimizers.js';
export type { OptimizerName, OptimizerSpec } from './optimizers.js';
export { optimizerMemory, resolveOptimizer } from './optimizer-memory.js';
export type { OptimizerMemoryOptions } from './optimizer-memory.js';
export { activationMemory } from './activation-memory.js';
export type { ActivationMemory, ActivationMemoryOptions } from './activation-memory.js';
export { FRAMEWORK_OVERHEAD_BYTES } from './framework-overhead.js';
export { SHARDING_STRATEGIES } from './sharding.js';
export type { ShardingName, ShardingSpec } from './sharding.js';
export { estimateMemory, resolveSharding } from './estimate-memory.js';
export type { MemoryBreakdown, MemoryOptions } from './estimate-memory.js';
export { trainingFlops } from './training-flops.js';
export type { TrainingFlopsOptions } from './training-flops.js';
export { trainingTime, DEFAULT_UTILISATION } from './training-time.js';
export type { TrainingTime, TrainingTimeOptions } from './training-time.js';
export { servingTco, DEFAULT_STORAGE_PRICE_PER_GB_MONTH, HOURS_PER_MONTH } from './serving-tco.js';
export type { ServingPlan, ServingTco, ServingTcoOptions } from './serving-tco.js';
export { recommend } from './recommend.js';
export type { MeasuredResult, QualityRequirement, Recommendation } from './recommend.js';
export { estimateCost } from './estimate-cost.js';
export type { CostEstimate, CostOptions } from './estimate-cost.js';
