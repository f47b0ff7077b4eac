/**
 * Which modules of a model an adapter adapts, and each one's rank, alpha and scale, by PEFT's rules (see
 * peft-target-rules.ts): scale = alpha / r, or alpha / √r with use_rslora. One deliberate difference: by
 * default (`strict`) a target_modules or exclude_modules entry, regex, or rank/alpha_pattern key that matches
 * nothing is an error naming the nearest module names, where PEFT silently ignores it.
 */
import { ConfigError, LorakitError, TargetError } from './errors.js';
import type { LoraConfig } from './lora-config.js';
import type { ModelModule } from './model-module.js';
import { layerIndexFromName, patternKeyFor } from './peft-target-rules.js';
import { matchesFilter } from './target-plugin.js';
import type { TargetPlugin, TargetPluginContext } from './target-plugin.js';
import { checkPatternKeys, excluder, selectByConfig } from './target-selection.js';
import type { TargetCandidate } from './target-selection.js';

/** The adapter_config.json fields target resolution reads. */
export type TargetConfig = Pick<
  LoraConfig,
  | 'target_modules'
  | 'exclude_modules'
  | 'layers_to_transform'
  | 'layers_pattern'
  | 'rank_pattern'
  | 'alpha_pattern'
  | 'r'
  | 'lora_alpha'
  | 'use_rslora'
  | 'fan_in_fan_out'
>;

/** One adapted module with its effective LoRA settings. */
export interface ResolvedModule {
  readonly name: string;
  readonly kind: ModelModule['kind'];
  readonly in: number;
  readonly out: number;
  readonly layer: number | undefined;
  readonly r: number;
  readonly alpha: number;
  /** alpha / r, or alpha / √r with use_rslora. */
  readonly scale: number;
  /** From the module (GPT-2's Conv1D), whatever config.fan_in_fan_out says: PEFT overrides it the same way. */
  readonly fanInFanOut: boolean;
}

export interface ResolveTargetsOptions {
  /** The architecture's default target names, used when target_modules is null and no plugin has a filter. */
  readonly defaultTargets?: readonly string[];
  /**
   * Plugins, applied in order. With target_modules null the modules matching any plugin's filter are the
   * targets; with target_modules set, the config selects and a module is kept only if it also matches some
   * plugin's filter (plugins without a filter only run hooks). exclude_modules and layers_to_transform apply
   * in both cases; then each plugin's resolveModule hook may drop a module or change its r/alpha.
   */
  readonly plugins?: readonly TargetPlugin[];
  /** Prefix for error messages, e.g. the adapter_config.json path. */
  readonly source?: string;
  /** Default true: entries that match nothing are errors. false: PEFT's leniency (only an empty result fails). */
  readonly strict?: boolean;
}

function checkNumbers(config: TargetConfig, prefix: string): void {
  const rank = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value > 0;
  const finite = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
  const fail = (key: string, value: unknown, fix: string): ConfigError =>
    new ConfigError('CONFIG_INVALID', `${prefix}${key} is ${JSON.stringify(value)}`, { fix });
  if (!rank(config.r)) throw fail('r', config.r, 'set r to a positive integer such as 16');
  if (!finite(config.lora_alpha))
    throw fail('lora_alpha', config.lora_alpha, 'set lora_alpha to a number such as 32');
  for (const [key, value] of Object.entries(config.rank_pattern ?? {})) {
    if (!rank(value)) throw fail(`rank_pattern["${key}"]`, value, 'use a positive integer rank');
  }
  for (const [key, value] of Object.entries(config.alpha_pattern ?? {})) {
    if (!finite(value)) throw fail(`alpha_pattern["${key}"]`, value, 'use a finite number');
  }
}

/** PEFT refuses layers_to_transform / layers_pattern with a regex (or "all-linear") target, and a lone layers_pattern. */
function checkLayerSettings(config: TargetConfig, prefix: string): void {
  const usesLayers = config.layers_to_transform !== null && config.layers_to_transform !== undefined;
  const hasPattern = config.layers_pattern !== null && config.layers_pattern !== undefined;
  if (typeof config.target_modules === 'string' && (usesLayers || hasPattern)) {
    throw new TargetError(
      'TARGET_INVALID',
      `${prefix}layers_to_transform / layers_pattern cannot be used when target_modules is a string`,
      {
        fix: 'give target_modules as a list of names, or encode the layers in the regex',
      },
    );
  }
  if (hasPattern && (config.layers_pattern?.length ?? 0) > 0 && !usesLayers) {
    throw new TargetError('TARGET_INVALID', `${prefix}layers_pattern is set but layers_to_transform is not`, {
      fix: 'set layers_to_transform to the layer indices to adapt, or remove layers_pattern',
    });
  }
}

function keepLayer(candidate: TargetCandidate, config: TargetConfig): boolean {
  const wanted = config.layers_to_transform;
  if (
    wanted === null ||
    wanted === undefined ||
    (Array.isArray(wanted) && wanted.length === 0) ||
    candidate.exact
  )
    return true;
  const index = layerIndexFromName(candidate.module.name, config.layers_pattern);
  if (index === undefined) return false;
  return typeof wanted === 'number' ? index === wanted : wanted.includes(index);
}

/**
 * PEFT's rank_pattern / alpha_pattern lookup: the value of the first key (in object order) whose
 * `(.*\.)?(KEY)$` matches `name` from its start, or undefined. So {"q_proj": 4, "model.layers.1.self_attn.q_proj": 2}
 * gives 4 for layer 1 too: put full names first. (JavaScript orders integer-like keys first; module names never are.)
 * A key that is not a valid regex throws TargetError TARGET_INVALID.
 */
export function findPatternValue(
  pattern: Readonly<Record<string, number>>,
  name: string,
  source?: string,
): number | undefined {
  const key = patternKeyFor(Object.keys(pattern), name, `${source ? `${source}: ` : ''}pattern key`);
  return key === undefined ? undefined : pattern[key];
}

function checkOverride(plugin: TargetPlugin, module: ModelModule, r: unknown, alpha: unknown): void {
  const badRank = r !== undefined && !(typeof r === 'number' && Number.isInteger(r) && r > 0);
  const badAlpha = alpha !== undefined && !(typeof alpha === 'number' && Number.isFinite(alpha));
  if (badRank || badAlpha) {
    throw new LorakitError(
      'PLUGIN_INVALID',
      `target plugin "${plugin.name}" returned r=${String(r)}, alpha=${String(alpha)} for "${module.name}"`,
      {
        fix: 'return a positive integer r and a finite alpha',
      },
    );
  }
}

/**
 * Resolves the adapted modules of a model, in model order (the order of `modules`), with per-module r, alpha
 * and scale. Throws TargetError (TARGET_INVALID, TARGET_NO_MATCH), ConfigError for bad numbers, and
 * LorakitError PLUGIN_INVALID for a plugin that returns bad values.
 */
export function resolveTargets(
  modules: readonly ModelModule[],
  config: TargetConfig,
  options: ResolveTargetsOptions = {},
): ResolvedModule[] {
  const prefix = options.source ? `${options.source}: ` : '';
  const strict = options.strict ?? true;
  const plugins = options.plugins ?? [];
  checkNumbers(config, prefix);
  checkLayerSettings(config, prefix);
  const layerCount = modules.reduce(
    (count, m) => (m.layer === undefined ? count : Math.max(count, m.layer + 1)),
    0,
  );
  const context: TargetPluginContext = { modules, config, layerCount, source: options.source };
  for (const plugin of plugins) plugin.configResolved?.(context);

  const filtering = plugins.filter((plugin) => plugin.filter !== undefined);
  const anyFilter = (module: ModelModule): boolean =>
    filtering.some((plugin) => plugin.filter && matchesFilter(plugin.filter, module, context));
  let candidates: TargetCandidate[];
  if (config.target_modules !== null && config.target_modules !== undefined) {
    candidates = selectByConfig(modules, config.target_modules, 'target_modules', prefix, strict);
    if (filtering.length > 0) candidates = candidates.filter((c) => anyFilter(c.module));
  } else if (filtering.length > 0) {
    candidates = modules.filter(anyFilter).map((module) => ({ module, exact: false }));
  } else if (options.defaultTargets !== undefined) {
    candidates = selectByConfig(modules, options.defaultTargets, 'default target modules', prefix, strict);
  } else {
    throw new TargetError(
      'TARGET_INVALID',
      `${prefix}target_modules is null and there is no default for this model`,
      {
        fix: 'set target_modules (e.g. ["q_proj", "v_proj"] or "all-linear") or pass a target plugin',
      },
    );
  }

  const excluded = excluder(modules, config.exclude_modules, prefix, strict);
  candidates = candidates.filter((c) => !excluded(c.module.name) && keepLayer(c, config));
  const rankPattern = config.rank_pattern ?? {};
  const alphaPattern = config.alpha_pattern ?? {};
  if (strict) {
    const names = candidates.map((c) => c.module.name);
    checkPatternKeys(rankPattern, names, 'rank_pattern', prefix);
    checkPatternKeys(alphaPattern, names, 'alpha_pattern', prefix);
  }

  const resolved: ResolvedModule[] = [];
  for (const { module } of candidates) {
    let r = findPatternValue(rankPattern, module.name, options.source) ?? config.r;
    let alpha = findPatternValue(alphaPattern, module.name, options.source) ?? config.lora_alpha;
    let kept = true;
    for (const plugin of plugins) {
      if (!plugin.resolveModule || (plugin.filter && !matchesFilter(plugin.filter, module, context)))
        continue;
      const result = plugin.resolveModule(module, context);
      if (result === false) {
        kept = false;
        break;
      }
      if (result === undefined) continue;
      checkOverride(plugin, module, result.r, result.alpha);
      r = result.r ?? r;
      alpha = result.alpha ?? alpha;
    }
    if (!kept) continue;
    const scale = config.use_rslora ? alpha / Math.sqrt(r) : alpha / r;
    const { name, kind, layer, fanInFanOut } = module;
    resolved.push({ name, kind, in: module.in, out: module.out, layer, r, alpha, scale, fanInFanOut });
  }
  if (resolved.length === 0) {
    throw new TargetError(
      'TARGET_NO_MATCH',
      `${prefix}no module is targeted after target_modules, plugins, exclude_modules and layers_to_transform`,
      {
        fix: 'loosen exclude_modules / layers_to_transform or check the target names against the model',
      },
    );
  }
  return resolved;
}
