/**
 * LoraConfig: the contents of PEFT's adapter_config.json, key for key (snake_case, as PEFT writes them).
 * Reading applies PEFT's defaults and checks types and values; writing produces what PEFT's
 * `LoraConfig.save_pretrained` writes (every key, sorted, Python's JSON text), so PEFT loads it without a warning.
 * The LoRA scale is s = lora_alpha / r, or lora_alpha / √r with rank-stabilised LoRA (use_rslora).
 */
import { ConfigError, FormatError, MathError } from './errors.js';
import { editDistance, nearestNames } from './nearest-names.js';
import { GUIDE_DEFAULTS, TARGET_PRESET_MODULES, rankForUse } from './presets.js';
import type { RankPresetName, TargetPresetName } from './presets.js';
import { PEFT_LORA_DEFAULTS } from './peft-lora-defaults.js';
import { pythonJson } from './python-json.js';
import { LORA_KEY_SPECS, checkLoraConfigConsistency, describeValue } from './lora-config-keys.js';
import type { InterpretedKey, LoraKeySpec } from './lora-config-keys.js';

/** The part of PEFT's LoraConfig that lorakit interprets; unknown keys are kept in `extra`. */
export interface LoraConfig {
  peft_type: 'LORA';
  task_type: string | null;
  base_model_name_or_path: string | null;
  revision: string | null;
  inference_mode: boolean;
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  /** A list of names (exact or dot-suffix match), a full-match regex string, or null (architecture default). */
  target_modules: string[] | string | null;
  exclude_modules: string[] | string | null;
  fan_in_fan_out: boolean;
  bias: 'none' | 'all' | 'lora_only';
  use_rslora: boolean;
  modules_to_save: string[] | null;
  init_lora_weights: boolean | string;
  layers_to_transform: number[] | number | null;
  layers_pattern: string[] | string | null;
  rank_pattern: Record<string, number>;
  alpha_pattern: Record<string, number>;
  use_dora: boolean;
  lora_bias: boolean;
  /**
   * Every other key, kept verbatim so a round trip loses nothing: keys PEFT writes that lorakit does not interpret
   * (when they differ from PEFT_LORA_DEFAULTS; serializing fills the defaults back) and keys PEFT does not know.
   */
  extra: Record<string, unknown>;
}

export { PEFT_LORA_DEFAULTS };

export interface ParseLoraConfigOptions {
  /** Names the config in messages (a file path); default "adapter_config.json". */
  source?: string;
  /** Called once with one message listing every key neither lorakit nor PEFT knows; default: ignore. */
  onWarning?: (message: string) => void;
}

const INTERPRETED_KEYS = Object.keys(LORA_KEY_SPECS) as InterpretedKey[];
const PEFT_KEYS: ReadonlySet<string> = new Set(Object.keys(PEFT_LORA_DEFAULTS));
/** Python holds lora_dropout as a float, so it is written `0.0`, as PEFT writes it. */
const FLOAT_KEYS: ReadonlySet<string> = new Set(['lora_dropout']);

/** Reads a parsed adapter_config.json: PEFT's defaults for missing keys, typed errors for wrong ones. */
export function parseLoraConfig(json: unknown, options: ParseLoraConfigOptions = {}): LoraConfig {
  const source = options.source ?? 'adapter_config.json';
  if (!isPlainObject(json)) {
    throw new ConfigError('CONFIG_INVALID', `${source}: must be a JSON object, got ${describeValue(json)}`, {
      fix: 'write the adapter config as an object such as {"peft_type": "LORA", "r": 8}',
    });
  }
  const values: Record<string, unknown> = {};
  for (const key of INTERPRETED_KEYS) {
    const given = Object.hasOwn(json, key) ? json[key] : undefined;
    const value = given === undefined ? PEFT_LORA_DEFAULTS[key] : given;
    const spec: LoraKeySpec = LORA_KEY_SPECS[key];
    const problem = spec.check(value);
    if (problem !== undefined) {
      const detail = problem === '' ? '' : ` (${problem})`;
      throw new ConfigError(
        'CONFIG_INVALID',
        `${source}: key "${key}" must be ${spec.expected}, got ${describeValue(value)}${detail}`,
        { fix: spec.fix },
      );
    }
    values[key] = cloneJson(spec.normalize ? spec.normalize(value) : value);
  }
  checkLoraConfigConsistency(values as Omit<LoraConfig, 'extra'>, source);

  const extra: [string, unknown][] = [];
  const unknown: string[] = [];
  for (const key of Object.keys(json)) {
    if (Object.hasOwn(LORA_KEY_SPECS, key) || json[key] === undefined) continue;
    const value = cloneJson(json[key]);
    if (PEFT_KEYS.has(key)) {
      // A default-valued PEFT key carries nothing: leaving it out keeps `extra` short and round trips exact.
      if (!jsonEqual(value, PEFT_LORA_DEFAULTS[key as keyof typeof PEFT_LORA_DEFAULTS]))
        extra.push([key, value]);
    } else {
      unknown.push(key);
      extra.push([key, value]);
    }
  }
  if (unknown.length > 0 && options.onWarning) options.onWarning(unknownKeysMessage(source, unknown));
  return { ...(values as Omit<LoraConfig, 'extra'>), extra: Object.fromEntries(extra) };
}

/** Reads adapter_config.json text; a JSON syntax error is a FormatError('JSON_INVALID'). */
export function parseLoraConfigText(text: string, options: ParseLoraConfigOptions = {}): LoraConfig {
  const source = options.source ?? 'adapter_config.json';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FormatError('JSON_INVALID', `${source}: not valid JSON (${reason})`, {
      fix: 'rewrite the file as JSON, or save the adapter again with lorakit or PEFT',
      cause: error,
    });
  }
  return parseLoraConfig(json, { ...options, source });
}

export interface SerializeLoraConfigOptions {
  /** The module names target resolution chose; written (sorted) in place of `target_modules`. */
  resolvedTargets?: readonly string[];
}

/** adapter_config.json text as PEFT's save_pretrained writes it, for an adapter ready to load (inference_mode). */
export function serializeLoraConfig(config: LoraConfig, options: SerializeLoraConfigOptions = {}): string {
  const source = 'LoraConfig';
  const { extra, ...interpreted } = config;
  const output: Record<string, unknown> = { ...PEFT_LORA_DEFAULTS, ...extra, ...interpreted };
  if (options.resolvedTargets !== undefined) {
    const targets = options.resolvedTargets;
    if (
      !Array.isArray(targets) ||
      targets.length === 0 ||
      !targets.every((name) => typeof name === 'string')
    ) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `${source}: resolvedTargets must be a non-empty list of module names`,
        {
          fix: 'pass the names that target resolution returned for the model',
        },
      );
    }
    output['target_modules'] = [...targets];
  }
  const targets = output['target_modules'];
  if (targets === 'all-linear' || (Array.isArray(targets) && targets.includes('all-linear'))) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${source}: target_modules is "all-linear", which PEFT expands per model`,
      {
        fix: 'resolve the targets against the model first and pass them as options.resolvedTargets',
      },
    );
  }
  for (const key of ['target_modules', 'exclude_modules']) {
    // PEFT holds these as sets; a sorted list is the deterministic form of a set.
    const list = output[key];
    if (Array.isArray(list)) output[key] = [...new Set(list)].sort();
  }
  output['inference_mode'] = true;
  output['peft_type'] = 'LORA';
  parseLoraConfig(output, { source }); // never write a file that lorakit itself would refuse to read
  return `${pythonJson(output, { source, floatKeys: FLOAT_KEYS })}\n`;
}

export interface CreateLoraConfigSettings extends Partial<LoraConfig> {
  /** A rank from the decision guide; explicit `r` / `lora_alpha` win over it. */
  preset?: RankPresetName;
  /** Which modules to adapt; explicit `target_modules` wins over it. Default "recommended". */
  targetPreset?: TargetPresetName;
}

/**
 * A new adapter's config: the decision guide's default (r 16, alpha 32, q/k/v/o projections, dropout 0.05,
 * CAUSAL_LM) where settings say nothing, lora_alpha = 2·r when only r is given, PEFT's defaults for the rest.
 */
export function createLoraConfig(settings: CreateLoraConfigSettings = {}): LoraConfig {
  const source = 'createLoraConfig';
  const { preset, targetPreset, extra = {}, ...given } = settings;
  const stray = Object.keys(given).filter((key) => !Object.hasOwn(LORA_KEY_SPECS, key));
  if (stray.length > 0) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${source}: unknown settings ${stray.map((key) => `"${key}"`).join(', ')}`,
      {
        fix: `use LoraConfig keys (nearest: ${nearestNames(stray[0] ?? '', INTERPRETED_KEYS).join(', ')}), or put other PEFT keys in extra`,
      },
    );
  }
  const rank = preset === undefined ? undefined : rankForUse(preset);
  const targetName = targetPreset ?? GUIDE_DEFAULTS.targetPreset;
  if (!Object.hasOwn(TARGET_PRESET_MODULES, targetName)) {
    const names = Object.keys(TARGET_PRESET_MODULES);
    throw new ConfigError('CONFIG_INVALID', `${source}: target preset "${String(targetName)}" is unknown`, {
      fix: `use one of ${names.join(', ')}`,
    });
  }
  const presetTargets = TARGET_PRESET_MODULES[targetName];
  const r = given.r ?? rank?.rank ?? GUIDE_DEFAULTS.r;
  const alpha = given.r === undefined ? (rank?.alpha ?? GUIDE_DEFAULTS.lora_alpha) : 2 * given.r;
  const fields: Record<string, unknown> = {
    ...extra,
    task_type: 'CAUSAL_LM',
    lora_dropout: GUIDE_DEFAULTS.lora_dropout,
    target_modules: typeof presetTargets === 'string' ? presetTargets : [...presetTargets],
    ...stripUndefined(given),
    r,
    lora_alpha: given.lora_alpha ?? alpha,
  };
  return parseLoraConfig(fields, { source });
}

export interface LoraScaleOptions {
  /** The module's own rank (from rank_pattern), instead of config.r. */
  r?: number;
  /** The module's own alpha (from alpha_pattern), instead of config.lora_alpha. */
  alpha?: number;
}

/** The LoRA scale s in y = W·x + s·B·A·x: alpha / r, or alpha / √r with use_rslora. */
export function loraScale(
  config: Pick<LoraConfig, 'r' | 'lora_alpha' | 'use_rslora'>,
  options: LoraScaleOptions = {},
): number {
  const r = options.r ?? config.r;
  const alpha = options.alpha ?? config.lora_alpha;
  if (
    typeof r !== 'number' ||
    !(r > 0) ||
    !Number.isFinite(r) ||
    typeof alpha !== 'number' ||
    !Number.isFinite(alpha)
  ) {
    throw new MathError(
      'INVALID_ARGUMENT',
      `loraScale: needs r > 0 and a finite alpha, got r ${String(r)}, alpha ${String(alpha)}`,
      {
        fix: 'parse the config with parseLoraConfig, which checks both',
      },
    );
  }
  return config.use_rslora ? alpha / Math.sqrt(r) : alpha / r;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A deep copy of arrays and plain objects (own keys kept as data, even "__proto__"; undefined properties dropped,
 * as JSON drops them); anything else as is.
 */
function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (!isPlainObject(value)) return value;
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  return Object.fromEntries(entries.map(([key, item]) => [key, cloneJson(item)]));
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
  );
}

function stripUndefined(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

function unknownKeysMessage(source: string, keys: string[]): string {
  const known = [...PEFT_KEYS];
  const described = keys.map((key) => {
    const [nearest] = nearestNames(key, known, 1);
    return nearest !== undefined && editDistance(key, nearest) <= 2
      ? `"${key}" (did you mean "${nearest}"?)`
      : `"${key}"`;
  });
  return `${source}: kept unknown keys ${described.join(', ')} as they are; lorakit does not interpret them`;
}
