/**
 * The built-in target presets as target plugins of the public type, built from TARGET_PRESET_MODULES: the same
 * names the decision guide uses. To add a preset, add its module list to TARGET_PRESET_MODULES in presets.ts
 * and an entry here; the registry (target-plugin-registry.ts) picks up every entry of this table.
 */
import { TARGET_PRESET_MODULES } from './presets.js';
import type { TargetPresetName } from './presets.js';
import { defineTargetPlugin } from './target-plugin.js';
import type { TargetFilter, TargetPlugin } from './target-plugin.js';

/** "all-linear" as a filter: every linear layer except the output head, as PEFT expands it. */
const ALL_LINEAR_FILTER: TargetFilter = { kinds: ['linear'], excludeOutputHead: true };

function presetFilter(modules: string | readonly string[]): TargetFilter {
  return typeof modules === 'string' ? ALL_LINEAR_FILTER : { names: modules };
}

/** minimum: q_proj + v_proj; recommended: q/k/v/o projections; maximum: all linear layers but the head. */
export const TARGET_PRESETS = {
  minimum: defineTargetPlugin({ name: 'minimum', filter: presetFilter(TARGET_PRESET_MODULES.minimum) }),
  recommended: defineTargetPlugin({
    name: 'recommended',
    filter: presetFilter(TARGET_PRESET_MODULES.recommended),
  }),
  maximum: defineTargetPlugin({ name: 'maximum', filter: presetFilter(TARGET_PRESET_MODULES.maximum) }),
} as const satisfies Record<TargetPresetName, TargetPlugin>;
