/**
 * The LoRA decision guide as data: which rank to pick for a kind of task, which modules to adapt, and the settings
 * lorakit uses when the caller gives none. The guide's rule of thumb is lora_alpha = 2·r, which keeps the LoRA
 * scale alpha/r at 2 whatever the rank, so changing the rank does not change the effective learning rate.
 */
import { ConfigError } from './errors.js';
import { nearestNames } from './nearest-names.js';

/** One row of the rank table. */
export interface RankPreset {
  /** The LoRA rank r. */
  rank: number;
  /** lora_alpha; the guide uses 2·rank. */
  alpha: number;
  /** What kind of adaptation this rank suits. */
  use: string;
}

/**
 * Ranks from the decision guide, smallest first. To add a row: pick a kebab-case name, set alpha = 2·rank, and say
 * in `use` which adaptations it is for.
 */
export const RANK_PRESETS = {
  simple: { rank: 8, alpha: 16, use: 'simple adaptations and style' },
  default: { rank: 16, alpha: 32, use: 'general default' },
  complex: { rank: 32, alpha: 64, use: 'complex tasks or several behaviours' },
  'near-full': { rank: 64, alpha: 128, use: 'near full fine-tune' },
} as const satisfies Record<string, RankPreset>;

export type RankPresetName = keyof typeof RANK_PRESETS;

/** The rank table row for a use name ("simple", "default", "complex", "near-full"); throws ConfigError otherwise. */
export function rankForUse(name: string): RankPreset {
  if (Object.hasOwn(RANK_PRESETS, name)) return RANK_PRESETS[name as RankPresetName];
  const names = Object.keys(RANK_PRESETS);
  throw new ConfigError('CONFIG_INVALID', `rank preset "${name}" is unknown`, {
    fix: `use one of ${names.join(', ')} (nearest: ${nearestNames(name, names, 1).join(', ')})`,
  });
}

/**
 * Which modules to adapt. `minimum` adapts the query and value projections only (the original LoRA paper's
 * choice), `recommended` all four attention projections, `maximum` every linear layer ("all-linear", which target
 * resolution expands per architecture before an adapter is written). Target-module plugins build on these names.
 */
export const TARGET_PRESET_MODULES = {
  minimum: ['q_proj', 'v_proj'],
  recommended: ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
  maximum: 'all-linear',
} as const satisfies { minimum: readonly string[]; recommended: readonly string[]; maximum: 'all-linear' };

export type TargetPresetName = keyof typeof TARGET_PRESET_MODULES;

/** What lorakit uses for an adapter created without explicit settings: the guide's general default. */
export const GUIDE_DEFAULTS = {
  r: RANK_PRESETS.default.rank,
  lora_alpha: RANK_PRESETS.default.alpha,
  targetPreset: 'recommended',
  lora_dropout: 0.05,
} as const satisfies { r: number; lora_alpha: number; targetPreset: TargetPresetName; lora_dropout: number };
