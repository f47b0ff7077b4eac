/**
 * ModelConfig: the part of a Hugging Face config.json that lorakit reads to know a model's shape without loading
 * its weights. Keys keep Hugging Face's snake_case spelling; a key written as null means the same as an absent one
 * (use the architecture's default). Every other key is kept verbatim in `extra`.
 */
import { ARCHITECTURES } from './architectures.js';
import { ConfigError } from './errors.js';

/** The keys of config.json that lorakit interprets. */
export interface ModelConfig {
  /** Hugging Face architecture key ("llama", "qwen2", "gpt2", ...): picks the entry in ARCHITECTURES. */
  model_type: string;
  hidden_size?: number;
  intermediate_size?: number;
  num_hidden_layers?: number;
  num_attention_heads?: number;
  /** Grouped-query attention: defaults to num_attention_heads. */
  num_key_value_heads?: number;
  /** Defaults to hidden_size / num_attention_heads (gemma2: 256). */
  head_dim?: number;
  vocab_size?: number;
  /** lm_head shares the input embedding's weight; the default depends on the architecture. */
  tie_word_embeddings?: boolean;
  rope_theta?: number;
  rope_scaling?: Record<string, unknown>;
  max_position_embeddings?: number;
  rms_norm_eps?: number;
  attention_bias?: boolean;
  mlp_bias?: boolean;
  /** The dtype the checkpoint is stored in (transformers 5 writes it as `dtype`; both are read). */
  torch_dtype?: string;
  /** Mixture of experts (mixtral): experts per layer and experts used per token. */
  num_local_experts?: number;
  num_experts_per_tok?: number;
  /** GPT-2's own names: width, layers, heads, MLP width (null: 4·n_embd) and learned positions. */
  n_embd?: number;
  n_layer?: number;
  n_head?: number;
  n_inner?: number;
  n_positions?: number;
  /** Every other key of config.json, verbatim. */
  extra: Record<string, unknown>;
}

/** The keys of ModelConfig other than `extra`. */
export type ModelConfigKey = Exclude<keyof ModelConfig, 'extra'>;

export interface ParseModelConfigOptions {
  /** Where the JSON came from, named in error messages (default "config.json"). */
  source?: string;
}

type KeyKind = 'positive-integer' | 'positive-number' | 'boolean' | 'string' | 'object';

// The type each interpreted key must have; model_type is checked separately because it is required.
const KEY_KINDS = {
  hidden_size: 'positive-integer',
  intermediate_size: 'positive-integer',
  num_hidden_layers: 'positive-integer',
  num_attention_heads: 'positive-integer',
  num_key_value_heads: 'positive-integer',
  head_dim: 'positive-integer',
  vocab_size: 'positive-integer',
  tie_word_embeddings: 'boolean',
  rope_theta: 'positive-number',
  rope_scaling: 'object',
  max_position_embeddings: 'positive-integer',
  rms_norm_eps: 'positive-number',
  attention_bias: 'boolean',
  mlp_bias: 'boolean',
  torch_dtype: 'string',
  num_local_experts: 'positive-integer',
  num_experts_per_tok: 'positive-integer',
  n_embd: 'positive-integer',
  n_layer: 'positive-integer',
  n_head: 'positive-integer',
  n_inner: 'positive-integer',
  n_positions: 'positive-integer',
} as const satisfies Record<Exclude<ModelConfigKey, 'model_type'>, KeyKind>;

const KIND_TEXT: Record<KeyKind, string> = {
  'positive-integer': 'a positive integer',
  'positive-number': 'a positive number',
  boolean: 'true or false',
  string: 'a string',
  object: 'an object',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasKind(value: unknown, kind: KeyKind): boolean {
  switch (kind) {
    case 'positive-integer':
      return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
    case 'positive-number':
      return typeof value === 'number' && Number.isFinite(value) && value > 0;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'object':
      return isPlainObject(value);
  }
}

/**
 * Reads a parsed config.json. Checks the type of every interpreted key and, when model_type names a known
 * architecture, that the keys it needs are present. An unknown model_type parses (resolveArchitecture rejects it).
 */
export function parseModelConfig(json: unknown, options: ParseModelConfigOptions = {}): ModelConfig {
  const source = options.source ?? 'config.json';
  if (!isPlainObject(json)) {
    throw new ConfigError('CONFIG_INVALID', `${source}: expected a JSON object, got ${describe(json)}`, {
      fix: 'pass the parsed contents of a Hugging Face config.json',
    });
  }
  const modelType = json['model_type'];
  if (typeof modelType !== 'string' || modelType === '') {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${source}: key "model_type" must be a non-empty string, got ${describe(modelType)}`,
      {
        fix: 'add "model_type" (e.g. "llama") as transformers writes it',
      },
    );
  }
  const config: ModelConfig = { model_type: modelType, extra: {} };
  const fields = config as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(json)) {
    if (key === 'model_type') continue;
    if (key === 'dtype' && json['torch_dtype'] === undefined && typeof value === 'string') {
      config.torch_dtype = value;
      continue;
    }
    if (!(key in KEY_KINDS)) {
      config.extra[key] = value;
      continue;
    }
    if (value === null || value === undefined) continue;
    const kind: KeyKind = KEY_KINDS[key as keyof typeof KEY_KINDS];
    if (!hasKind(value, kind)) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `${source}: key "${key}" must be ${KIND_TEXT[kind]}, got ${describe(value)}`,
        {
          fix: `correct "${key}" in ${source}`,
        },
      );
    }
    fields[key] = value;
  }
  readRopeParameters(config, source);
  checkRequiredKeys(config, source);
  return config;
}

/**
 * transformers 5 writes RoPE settings as "rope_parameters": {"rope_type", "rope_theta", "factor", …} instead of
 * top-level rope_theta / rope_scaling; read them into the usual keys (top-level keys win when both are present).
 */
function readRopeParameters(config: ModelConfig, source: string): void {
  const parameters = config.extra['rope_parameters'];
  if (parameters === undefined || parameters === null) return;
  if (!isPlainObject(parameters)) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${source}: key "rope_parameters" must be an object, got ${describe(parameters)}`,
    );
  }
  const theta = parameters['rope_theta'];
  if (config.rope_theta === undefined && theta !== undefined) {
    if (typeof theta !== 'number' || !Number.isFinite(theta) || theta <= 0) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `${source}: rope_parameters.rope_theta must be a positive number, got ${describe(theta)}`,
      );
    }
    config.rope_theta = theta;
  }
  const type = parameters['rope_type'];
  if (config.rope_scaling === undefined && typeof type === 'string' && type !== 'default') {
    config.rope_scaling = { ...parameters };
  }
}

/** Throws CONFIG_INVALID when a known architecture lacks a key it cannot do without. */
function checkRequiredKeys(config: ModelConfig, source: string): void {
  const spec = Object.values(ARCHITECTURES).find((entry) =>
    (entry.modelTypes as readonly string[]).includes(config.model_type),
  );
  if (spec === undefined) return;
  const missing = spec.requiredKeys.filter((key) => config[key] === undefined);
  if (missing.length > 0) {
    const names = missing.map((key) => `"${key}"`).join(', ');
    throw new ConfigError(
      'CONFIG_INVALID',
      `${source}: model_type "${config.model_type}" needs ${names}, which ${missing.length === 1 ? 'is' : 'are'} missing`,
      {
        fix: `add ${names} from the model's published config.json`,
      },
    );
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
