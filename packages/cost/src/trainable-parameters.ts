/**
 * Trainable parameters per method. Full fine-tuning trains every parameter. LoRA adds A (r×in) and B (out×r)
 * to each targeted module, r·(in + out) parameters (Hu et al. 2021, "LoRA", §4.1), and trains only those;
 * QLoRA trains the same adapter over a 4-bit base (Dettmers et al. 2023), so its count is LoRA's. Targets are
 * resolved by core against the architecture's own module list, so a fused projection (phi3's qkv_proj,
 * gate_up_proj; GPT-2's c_attn) is one module with one A and one B.
 */
import {
  ConfigError,
  countLoraParameters,
  countModelParameters,
  listModelModules,
  resolveArchitecture,
  resolveTargets,
  TARGET_PRESET_MODULES,
} from '@lorakit/core';
import type { LoraConfig, ModelConfig } from '@lorakit/core';

/** How the model is fine-tuned. */
export type TrainingMethod = 'full' | 'lora' | 'qlora';

export const TRAINING_METHODS: readonly TrainingMethod[] = ['full', 'lora', 'qlora'];

export interface TrainableParametersOptions {
  method: TrainingMethod;
  /** LoRA rank r (default 16); ignored for full fine-tuning. */
  rank?: number;
  /** Module names or "all-linear" (default q_proj, k_proj, v_proj, o_proj, the guide's recommendation). */
  targets?: LoraConfig['target_modules'];
}

export interface TrainableParameters {
  /** Parameters of the base model. */
  total: number;
  /** Parameters the optimizer updates: all of them (full) or the adapter's A and B. */
  trainable: number;
  /** Adapted modules (0 for full fine-tuning). */
  modules: number;
  /** The adapter's parameters at this rank and targets, whatever the method (what an adapter file holds). */
  adapter: number;
}

/** Checks a LoRA rank: a positive integer (rank 0 adapts nothing). */
export function checkRank(rank: number): number {
  if (!Number.isSafeInteger(rank) || rank <= 0) {
    throw new ConfigError('CONFIG_INVALID', `rank is ${String(rank)}`, {
      fix: 'use a positive integer LoRA rank such as 8, 16 or 64',
    });
  }
  return rank;
}

/** Base, trainable and adapter parameter counts of `config` trained with `options.method`. */
export function trainableParameters(
  config: ModelConfig,
  options: TrainableParametersOptions,
): TrainableParameters {
  const rank = checkRank(options.rank ?? 16);
  const architecture = resolveArchitecture(config);
  const resolved = resolveTargets(
    listModelModules(config),
    {
      target_modules: options.targets ?? [...TARGET_PRESET_MODULES.recommended],
      exclude_modules: null,
      layers_to_transform: null,
      layers_pattern: null,
      rank_pattern: {},
      alpha_pattern: {},
      r: rank,
      lora_alpha: 2 * rank,
      use_rslora: false,
      fan_in_fan_out: architecture.fanInFanOut,
    },
    { source: 'targets' },
  );
  const total = countModelParameters(config);
  const adapter = countLoraParameters(resolved);
  const full = options.method === 'full';
  return { total, trainable: full ? total : adapter, modules: full ? 0 : resolved.length, adapter };
}
