/**
 * What each adapter_config.json key that lorakit interprets may hold, and the cross-key rules PEFT's
 * LoraConfig.__post_init__ enforces (a config that breaks them does not load in PEFT either).
 */
import { toJavaScriptSource } from './target-regex.js';
import { ConfigError } from './errors.js';
import type { LoraConfig } from './lora-config.js';

export type InterpretedKey = Exclude<keyof LoraConfig, 'extra'>;

export interface LoraKeySpec {
  /** Completes "key "r" must be …". */
  expected: string;
  /** What to do instead, for the error's fix. */
  fix: string;
  /** undefined when valid; otherwise a detail for the message ('' for none). */
  check: (value: unknown) => string | undefined;
  /** Maps an accepted alternative spelling to the canonical value (null pattern → {}). */
  normalize?: (value: unknown) => unknown;
}

/** PEFT's TaskType values; PEFT refuses any other task_type. */
export const PEFT_TASK_TYPES = [
  'SEQ_CLS',
  'SEQ_2_SEQ_LM',
  'CAUSAL_LM',
  'TOKEN_CLS',
  'QUESTION_ANS',
  'FEATURE_EXTRACTION',
] as const;

const ok = (valid: boolean): string | undefined => (valid ? undefined : '');
const isString = (value: unknown): value is string => typeof value === 'string';
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isLayerIndex = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
const isBoolean = (value: unknown): boolean => typeof value === 'boolean';

function boolean(key: string): LoraKeySpec {
  return {
    expected: 'true or false',
    fix: `write "${key}": true or false (JSON booleans, not strings)`,
    check: (value) => ok(isBoolean(value)),
  };
}

function nullableString(key: string): LoraKeySpec {
  return {
    expected: 'a string or null',
    fix: `write "${key}" as a JSON string, or null`,
    check: (value) => ok(value === null || isString(value)),
  };
}

function modules(key: string): LoraKeySpec {
  return {
    expected: 'a list of module names, a regular expression string, or null',
    fix: `write "${key}" like ["q_proj", "v_proj"] or ".*\\\\.(q_proj|v_proj)"`,
    check: (value) =>
      value === null || isStringList(value) ? undefined : isString(value) ? regexProblem(value) : '',
  };
}

function pattern(key: string, expected: string, valid: (value: unknown) => boolean): LoraKeySpec {
  return {
    expected: `an object mapping module-name patterns to ${expected}`,
    fix: `write "${key}" like {"q_proj": 16}, or {} for none`,
    check: (value) =>
      ok(
        value === null ||
          (typeof value === 'object' && !Array.isArray(value) && Object.values(value).every(valid)),
      ),
    normalize: (value) => value ?? {},
  };
}

/** Checks per interpreted key, in the order they are reported (r before lora_alpha, which 2·r may derive from). */
export const LORA_KEY_SPECS = {
  peft_type: {
    expected: 'the string "LORA"',
    fix: 'lorakit reads LoRA adapters only; this file is another PEFT method or is not an adapter config',
    check: (value) => ok(value === 'LORA'),
  },
  task_type: {
    expected: `null or one of ${PEFT_TASK_TYPES.join(', ')}`,
    fix: 'use "CAUSAL_LM" for a language model, or null',
    check: (value) => ok(value === null || (PEFT_TASK_TYPES as readonly unknown[]).includes(value)),
  },
  base_model_name_or_path: nullableString('base_model_name_or_path'),
  revision: nullableString('revision'),
  inference_mode: boolean('inference_mode'),
  r: {
    expected: 'a positive integer',
    fix: 'write the rank as a whole number such as 8 or 16 (PEFT default 8)',
    check: (value) => ok(Number.isSafeInteger(value) && (value as number) > 0),
  },
  lora_alpha: {
    expected: 'a finite number ≥ 0',
    fix: 'write lora_alpha as a number such as 16 (the guide uses 2·r; PEFT default 8)',
    check: (value) => ok(typeof value === 'number' && Number.isFinite(value) && value >= 0),
  },
  lora_dropout: {
    expected: 'a number in [0, 1)',
    fix: 'write lora_dropout as a probability such as 0.05 (PEFT default 0.0)',
    check: (value) => ok(typeof value === 'number' && value >= 0 && value < 1),
  },
  target_modules: modules('target_modules'),
  exclude_modules: modules('exclude_modules'),
  fan_in_fan_out: boolean('fan_in_fan_out'),
  bias: {
    expected: 'one of "none", "all", "lora_only"',
    fix: 'use "none" unless the adapter trains biases',
    check: (value) => ok(value === 'none' || value === 'all' || value === 'lora_only'),
  },
  use_rslora: boolean('use_rslora'),
  modules_to_save: {
    expected: 'a list of module names or null',
    fix: 'write modules_to_save like ["lm_head"], or null',
    check: (value) => ok(value === null || isStringList(value)),
  },
  init_lora_weights: {
    expected: 'true, false or a method name such as "gaussian"',
    fix: 'use true (PEFT default) unless a special initialisation was used',
    check: (value) => ok(isBoolean(value) || (isString(value) && value.length > 0)),
  },
  layers_to_transform: {
    expected: 'a layer index, a list of layer indices, or null',
    fix: 'write layers_to_transform like [0, 1, 2], or null for every layer',
    check: (value) =>
      ok(value === null || isLayerIndex(value) || (Array.isArray(value) && value.every(isLayerIndex))),
  },
  layers_pattern: {
    expected: 'a string, a list of strings, or null',
    fix: 'write layers_pattern like "layers", or null',
    check: (value) => ok(value === null || isString(value) || isStringList(value)),
  },
  rank_pattern: pattern(
    'rank_pattern',
    'positive integer ranks',
    (value) => Number.isSafeInteger(value) && (value as number) > 0,
  ),
  alpha_pattern: pattern(
    'alpha_pattern',
    'finite alphas ≥ 0',
    (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0,
  ),
  use_dora: boolean('use_dora'),
  lora_bias: boolean('lora_bias'),
} satisfies Record<InterpretedKey, LoraKeySpec>;

/** JavaScript's reading of a Python `re` pattern: named groups are spelled (?<name>…) and \k<name> in JS. */
function regexProblem(pattern: string): string | undefined {
  if (pattern === 'all-linear') return undefined;
  try {
    new RegExp(toJavaScriptSource(pattern));
    return undefined;
  } catch (error) {
    return `not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The rules between keys that PEFT enforces on load. */
export function checkLoraConfigConsistency(config: Omit<LoraConfig, 'extra'>, source: string): void {
  const fail = (message: string, fix: string): never => {
    throw new ConfigError('CONFIG_INVALID', `${source}: ${message}`, { fix });
  };
  if (typeof config.target_modules === 'string' && config.target_modules !== 'all-linear') {
    if (config.layers_to_transform !== null) {
      fail(
        'layers_to_transform cannot be used when target_modules is a regex string',
        'put the layer numbers into the regex, or give target_modules as a list',
      );
    }
    if (config.layers_pattern !== null) {
      fail(
        'layers_pattern cannot be used when target_modules is a regex string',
        'put the layer pattern into the regex, or give target_modules as a list',
      );
    }
  }
  const hasLayersPattern = config.layers_pattern !== null && config.layers_pattern.length > 0;
  if (hasLayersPattern && config.layers_to_transform === null) {
    fail(
      'layers_pattern is set but layers_to_transform is null',
      'set layers_to_transform to the layer indices, or layers_pattern to null',
    );
  }
  if (config.lora_bias && typeof config.init_lora_weights === 'string') {
    fail(
      `lora_bias needs init_lora_weights true or false, got "${config.init_lora_weights}"`,
      'set lora_bias to false',
    );
  }
  if (config.lora_bias && config.use_dora)
    fail('lora_bias cannot be combined with use_dora', 'set lora_bias or use_dora to false');
}

/** A short, safe rendering of any value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return truncate(JSON.stringify(value));
  if (typeof value !== 'object') return `a ${typeof value}`;
  try {
    return truncate(JSON.stringify(value) ?? (Array.isArray(value) ? 'an array' : 'an object'));
  } catch {
    return Array.isArray(value) ? 'an array' : 'an object';
  }
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
