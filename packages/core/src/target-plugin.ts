/**
 * Target-module plugins: a named object that chooses which modules of a model LoRA adapts, and may give some of
 * them their own rank or alpha. The declarative `filter` is plain data a host can test (matchesFilter) without
 * running plugin code; the optional hooks run inside resolveTargets, at the moments documented on each.
 * The built-in presets (target-presets.ts) are plugins of this same type.
 */
import { LorakitError } from './errors.js';
import type { ModelModule } from './model-module.js';
import { matchesNameEntry } from './peft-target-rules.js';
import type { TargetConfig } from './resolve-targets.js';
import { fullMatchRegex } from './target-regex.js';

/**
 * Which modules a plugin is about. Every field that is present is a condition and a module must meet all of
 * them; an empty filter matches every module.
 */
export interface TargetFilter {
  /** Module names matched the way PEFT matches a target_modules list entry: equal, or ending in "." + entry. */
  readonly names?: readonly string[];
  /** A regex that must match the whole module name (Python's re.fullmatch, like a target_modules string). */
  readonly pattern?: string;
  /** Module kinds to keep. */
  readonly kinds?: readonly ModelModule['kind'][];
  /**
   * Decoder layers to keep, by the module's `layer` (modules outside the layer stack never match): the first N,
   * the last N, and/or explicit indices; a module in any of the given sets matches.
   */
  readonly layers?: { readonly first?: number; readonly last?: number; readonly indices?: readonly number[] };
  /** When true, the output head (lm_head) never matches. */
  readonly excludeOutputHead?: boolean;
}

/** What a filter needs to know about the whole model. */
export interface TargetFilterContext {
  /** Number of decoder layers (highest `layer` + 1, or 0 when no module has one). */
  readonly layerCount: number;
}

/** What hooks see: the model's modules, the target settings being resolved, and where they came from. */
export interface TargetPluginContext extends TargetFilterContext {
  readonly modules: readonly ModelModule[];
  readonly config: TargetConfig;
  /** The file or label errors should name (resolveTargets' `source` option), if any. */
  readonly source: string | undefined;
}

/** A per-module rank and/or alpha that replaces the one from r / rank_pattern / lora_alpha / alpha_pattern. */
export interface TargetModuleOverride {
  readonly r?: number;
  readonly alpha?: number;
}

export interface TargetPlugin {
  /** Unique kebab-case name, the key in the registry (e.g. "last-layers-attention"). */
  readonly name: string;
  /** The modules this plugin selects (when the config names none) or keeps (when it does); see resolveTargets. */
  readonly filter?: TargetFilter;
  /**
   * Runs once per resolveTargets call, before any module is matched, with the full module list and config.
   * Use it to check the model suits the plugin (throw a TargetError otherwise) or to precompute.
   */
  configResolved?(context: TargetPluginContext): void;
  /**
   * Runs after built-in matching, exclude_modules, layers_to_transform and rank/alpha patterns, once for each
   * selected module this plugin's filter matches (every selected module when it has no filter), in model order.
   * Return false to drop the module, an override to change its r/alpha, or undefined to keep it as it is.
   */
  resolveModule?(module: ModelModule, context: TargetPluginContext): TargetModuleOverride | false | undefined;
}

const FILTER_KEYS = new Set(['names', 'pattern', 'kinds', 'layers', 'excludeOutputHead']);
const LAYER_KEYS = new Set(['first', 'last', 'indices']);
const KINDS: readonly string[] = ['linear', 'embedding'];
const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function invalid(pluginName: string, problem: string, fix: string): LorakitError {
  return new LorakitError('PLUGIN_INVALID', `target plugin "${pluginName}": ${problem}`, { fix });
}

function isCount(value: unknown, minimum: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= minimum;
}

function checkFilter(pluginName: string, filter: unknown): void {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw invalid(
      pluginName,
      'filter must be an object',
      'give { names?, pattern?, kinds?, layers?, excludeOutputHead? }',
    );
  }
  const record = filter as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!FILTER_KEYS.has(key))
      throw invalid(pluginName, `filter has unknown key "${key}"`, `use only ${[...FILTER_KEYS].join(', ')}`);
  }
  const { names, pattern, kinds, layers, excludeOutputHead } = record;
  if (
    names !== undefined &&
    (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n !== ''))
  ) {
    throw invalid(
      pluginName,
      'filter.names must be a non-empty list of non-empty strings',
      'e.g. names: ["q_proj", "v_proj"]',
    );
  }
  if (pattern !== undefined) {
    if (typeof pattern !== 'string' || pattern === '')
      throw invalid(
        pluginName,
        'filter.pattern must be a non-empty string',
        'e.g. pattern: ".*\\.(q|v)_proj"',
      );
    try {
      fullMatchRegex(pattern, 'filter.pattern');
    } catch (error) {
      throw new LorakitError(
        'PLUGIN_INVALID',
        `target plugin "${pluginName}": filter.pattern "${pattern}" does not compile`,
        { fix: 'fix the regular expression', cause: error },
      );
    }
  }
  if (
    kinds !== undefined &&
    (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => KINDS.includes(k as string)))
  ) {
    throw invalid(
      pluginName,
      'filter.kinds must be a non-empty list of "linear" / "embedding"',
      'e.g. kinds: ["linear"]',
    );
  }
  if (layers !== undefined) checkLayers(pluginName, layers);
  if (excludeOutputHead !== undefined && typeof excludeOutputHead !== 'boolean') {
    throw invalid(pluginName, 'filter.excludeOutputHead must be a boolean', 'use true or false');
  }
}

function checkLayers(pluginName: string, layers: unknown): void {
  if (typeof layers !== 'object' || layers === null || Array.isArray(layers)) {
    throw invalid(pluginName, 'filter.layers must be an object', 'give { first?, last?, indices? }');
  }
  const record = layers as Record<string, unknown>;
  const keys = Object.keys(record);
  for (const key of keys) {
    if (!LAYER_KEYS.has(key))
      throw invalid(pluginName, `filter.layers has unknown key "${key}"`, 'use first, last or indices');
  }
  if (keys.length === 0) throw invalid(pluginName, 'filter.layers is empty', 'give first, last or indices');
  for (const key of ['first', 'last'] as const) {
    if (record[key] !== undefined && !isCount(record[key], 1)) {
      throw invalid(pluginName, `filter.layers.${key} must be a positive integer`, `e.g. ${key}: 4`);
    }
  }
  const indices = record['indices'];
  if (indices !== undefined && (!Array.isArray(indices) || !indices.every((index) => isCount(index, 0)))) {
    throw invalid(
      pluginName,
      'filter.layers.indices must be a list of non-negative integers',
      'e.g. indices: [0, 1]',
    );
  }
}

/**
 * Validates a plugin (kebab-case name, well-formed filter whose pattern compiles, hooks are functions) and
 * returns a frozen copy. Throws LorakitError PLUGIN_INVALID naming the plugin and the problem.
 */
export function defineTargetPlugin<T extends TargetPlugin>(plugin: T): T {
  if (typeof plugin !== 'object' || plugin === null) {
    throw new LorakitError('PLUGIN_INVALID', 'target plugin must be an object', {
      fix: 'pass { name, filter?, resolveModule?, configResolved? }',
    });
  }
  const name: unknown = plugin.name;
  if (typeof name !== 'string' || !KEBAB_CASE.test(name)) {
    throw new LorakitError('PLUGIN_INVALID', `target plugin name ${JSON.stringify(name)} is not kebab-case`, {
      fix: 'name it like "last-layers-attention"',
    });
  }
  if (plugin.filter !== undefined) checkFilter(name, plugin.filter);
  for (const hook of ['configResolved', 'resolveModule'] as const) {
    if (plugin[hook] !== undefined && typeof plugin[hook] !== 'function') {
      throw invalid(name, `${hook} must be a function`, `remove ${hook} or make it a function`);
    }
  }
  const filter = plugin.filter === undefined ? undefined : freezeFilter(plugin.filter);
  return Object.freeze({ ...plugin, ...(filter === undefined ? {} : { filter }) });
}

function freezeFilter(filter: TargetFilter): TargetFilter {
  const copy: TargetFilter = {
    ...filter,
    ...(filter.names ? { names: Object.freeze([...filter.names]) } : {}),
    ...(filter.kinds ? { kinds: Object.freeze([...filter.kinds]) } : {}),
    ...(filter.layers
      ? {
          layers: Object.freeze({
            ...filter.layers,
            ...(filter.layers.indices ? { indices: Object.freeze([...filter.layers.indices]) } : {}),
          }),
        }
      : {}),
  };
  return Object.freeze(copy);
}

const patternCache = new Map<string, RegExp>();

/** Whether `module` meets every condition of `filter`; lets a host test a plugin without calling it. */
export function matchesFilter(
  filter: TargetFilter,
  module: ModelModule,
  context: TargetFilterContext,
): boolean {
  if (filter.excludeOutputHead === true && module.outputHead) return false;
  if (filter.kinds && !filter.kinds.includes(module.kind)) return false;
  if (filter.names && !filter.names.some((entry) => matchesNameEntry(module.name, entry))) return false;
  if (filter.pattern !== undefined) {
    let regex = patternCache.get(filter.pattern);
    if (!regex) {
      regex = fullMatchRegex(filter.pattern, 'filter.pattern');
      patternCache.set(filter.pattern, regex);
    }
    if (!regex.test(module.name)) return false;
  }
  if (filter.layers) {
    const layer = module.layer;
    if (layer === undefined) return false;
    const { first, last, indices } = filter.layers;
    const inFirst = first !== undefined && layer < first;
    const inLast = last !== undefined && layer >= context.layerCount - last;
    const inIndices = indices !== undefined && indices.includes(layer);
    if (!inFirst && !inLast && !inIndices) return false;
  }
  return true;
}
