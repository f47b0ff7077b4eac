/**
 * How training state is split over N GPUs, as data: which memory parts divide by N.
 * ZeRO (Rajbhandari et al. 2020, §5): stage 1 partitions optimizer state (Pos), stage 2 also gradients (Pos+g),
 * stage 3 also parameters (Pos+g+p). PyTorch FSDP FULL_SHARD is ZeRO-3, SHARD_GRAD_OP is ZeRO-2 (Zhao et al.
 * 2023, "PyTorch FSDP"). Pipeline parallelism gives each GPU L/N layers with their weights, gradients and
 * optimizer state; with 1F1B scheduling the first stage holds N micro-batches of L/N layers, the same
 * activation bytes as one micro-batch through all L layers (Narayanan et al. 2021, §2.2), so activations do
 * not divide. Data parallelism ("none", DDP) replicates everything.
 */

export interface ShardingSpec {
  readonly weights: boolean;
  readonly gradients: boolean;
  readonly optimizer: boolean;
  /** Parameters are gathered one layer at a time for compute: add the gathered layer and a prefetched one. */
  readonly gathersLayers: boolean;
  /** Splits the layer stack, so it needs at least one layer per GPU. */
  readonly splitsLayers: boolean;
  readonly description: string;
}

/** To add a strategy: say which parts it divides by the GPU count, and cite where that is described. */
export const SHARDING_STRATEGIES = {
  none: {
    weights: false,
    gradients: false,
    optimizer: false,
    gathersLayers: false,
    splitsLayers: false,
    description: 'one GPU, or data parallel (DDP): every GPU holds everything',
  },
  'zero-1': {
    weights: false,
    gradients: false,
    optimizer: true,
    gathersLayers: false,
    splitsLayers: false,
    description: 'DeepSpeed ZeRO stage 1: optimizer state sharded',
  },
  'zero-2': {
    weights: false,
    gradients: true,
    optimizer: true,
    gathersLayers: false,
    splitsLayers: false,
    description: 'DeepSpeed ZeRO stage 2 / FSDP SHARD_GRAD_OP: optimizer state and gradients sharded',
  },
  'zero-3': {
    weights: true,
    gradients: true,
    optimizer: true,
    gathersLayers: true,
    splitsLayers: false,
    description: 'DeepSpeed ZeRO stage 3: optimizer state, gradients and weights sharded',
  },
  fsdp: {
    weights: true,
    gradients: true,
    optimizer: true,
    gathersLayers: true,
    splitsLayers: false,
    description: 'PyTorch FSDP FULL_SHARD (= ZeRO-3)',
  },
  pipeline: {
    weights: true,
    gradients: true,
    optimizer: true,
    gathersLayers: false,
    splitsLayers: true,
    description: 'pipeline parallel, 1F1B: each GPU holds L/N layers',
  },
} as const satisfies Record<string, ShardingSpec>;

export type ShardingName = keyof typeof SHARDING_STRATEGIES;
