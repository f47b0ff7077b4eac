/**
 * Well-known base models, with the config.json values lorakit reads, so costs and module lists can be worked out
 * by name without downloading anything. Values are copied from each repository's published config.json.
 */
import { ArchitectureError } from './errors.js';
import type { ModelConfig } from './model-config.js';
import { nearestNames } from './nearest-names.js';

export interface CatalogEntry {
  /** The Hugging Face repository the config comes from. */
  readonly repo: string;
  /** Its config.json, the keys ModelConfig interprets. */
  readonly config: Readonly<Omit<ModelConfig, 'extra'>>;
}

// Llama 3.1's long-context RoPE rescaling, shared by its three sizes.
const LLAMA_3_1_ROPE_SCALING = {
  factor: 8.0,
  low_freq_factor: 1.0,
  high_freq_factor: 4.0,
  original_max_position_embeddings: 8192,
  rope_type: 'llama3',
};

const llama2 = {
  model_type: 'llama',
  vocab_size: 32000,
  max_position_embeddings: 4096,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: false,
  torch_dtype: 'float16',
} as const;
const llama3 = {
  model_type: 'llama',
  vocab_size: 128256,
  max_position_embeddings: 8192,
  rms_norm_eps: 1e-5,
  rope_theta: 500000,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
} as const;
const llama31 = { ...llama3, max_position_embeddings: 131072, rope_scaling: LLAMA_3_1_ROPE_SCALING } as const;
const qwen25 = { model_type: 'qwen2', rope_theta: 1000000, torch_dtype: 'bfloat16' } as const;
const smollm2 = {
  model_type: 'llama',
  vocab_size: 49152,
  max_position_embeddings: 8192,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
} as const;

/**
 * The catalog. To add a model: key it by a lower-case name (family-size), set `repo` to its Hugging Face id and
 * copy the keys ModelConfig names from that repository's config.json; its model_type must be in ARCHITECTURES.
 * Add its published parameter count to count-parameters.test.ts.
 */
export const MODEL_CATALOG = {
  'llama-2-7b': {
    repo: 'meta-llama/Llama-2-7b-hf',
    config: {
      ...llama2,
      hidden_size: 4096,
      intermediate_size: 11008,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 32,
    },
  },
  'llama-2-13b': {
    repo: 'meta-llama/Llama-2-13b-hf',
    config: {
      ...llama2,
      hidden_size: 5120,
      intermediate_size: 13824,
      num_hidden_layers: 40,
      num_attention_heads: 40,
      num_key_value_heads: 40,
    },
  },
  'llama-2-70b': {
    repo: 'meta-llama/Llama-2-70b-hf',
    config: {
      ...llama2,
      hidden_size: 8192,
      intermediate_size: 28672,
      num_hidden_layers: 80,
      num_attention_heads: 64,
      num_key_value_heads: 8,
    },
  },
  'llama-3-8b': {
    repo: 'meta-llama/Meta-Llama-3-8B',
    config: {
      ...llama3,
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
    },
  },
  'llama-3-70b': {
    repo: 'meta-llama/Meta-Llama-3-70B',
    config: {
      ...llama3,
      hidden_size: 8192,
      intermediate_size: 28672,
      num_hidden_layers: 80,
      num_attention_heads: 64,
      num_key_value_heads: 8,
    },
  },
  'llama-3.1-8b': {
    repo: 'meta-llama/Llama-3.1-8B',
    config: {
      ...llama31,
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
    },
  },
  'llama-3.1-70b': {
    repo: 'meta-llama/Llama-3.1-70B',
    config: {
      ...llama31,
      hidden_size: 8192,
      intermediate_size: 28672,
      num_hidden_layers: 80,
      num_attention_heads: 64,
      num_key_value_heads: 8,
    },
  },
  'llama-3.1-405b': {
    repo: 'meta-llama/Llama-3.1-405B',
    config: {
      ...llama31,
      hidden_size: 16384,
      intermediate_size: 53248,
      num_hidden_layers: 126,
      num_attention_heads: 128,
      num_key_value_heads: 8,
    },
  },
  'mistral-7b': {
    repo: 'mistralai/Mistral-7B-v0.1',
    config: {
      model_type: 'mistral',
      vocab_size: 32000,
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      max_position_embeddings: 32768,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  },
  'mixtral-8x7b': {
    repo: 'mistralai/Mixtral-8x7B-v0.1',
    config: {
      model_type: 'mixtral',
      vocab_size: 32000,
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      num_local_experts: 8,
      num_experts_per_tok: 2,
      max_position_embeddings: 32768,
      rms_norm_eps: 1e-5,
      rope_theta: 1000000,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  },
  'qwen2.5-0.5b': {
    repo: 'Qwen/Qwen2.5-0.5B',
    config: {
      ...qwen25,
      vocab_size: 151936,
      hidden_size: 896,
      intermediate_size: 4864,
      num_hidden_layers: 24,
      num_attention_heads: 14,
      num_key_value_heads: 2,
      max_position_embeddings: 32768,
      rms_norm_eps: 1e-6,
      tie_word_embeddings: true,
    },
  },
  'qwen2.5-7b': {
    repo: 'Qwen/Qwen2.5-7B',
    config: {
      ...qwen25,
      vocab_size: 152064,
      hidden_size: 3584,
      intermediate_size: 18944,
      num_hidden_layers: 28,
      num_attention_heads: 28,
      num_key_value_heads: 4,
      max_position_embeddings: 131072,
      rms_norm_eps: 1e-6,
      tie_word_embeddings: false,
    },
  },
  'qwen2.5-72b': {
    repo: 'Qwen/Qwen2.5-72B',
    config: {
      ...qwen25,
      vocab_size: 152064,
      hidden_size: 8192,
      intermediate_size: 29568,
      num_hidden_layers: 80,
      num_attention_heads: 64,
      num_key_value_heads: 8,
      max_position_embeddings: 131072,
      rms_norm_eps: 1e-5,
      tie_word_embeddings: false,
    },
  },
  'gemma-2-9b': {
    repo: 'google/gemma-2-9b',
    config: {
      model_type: 'gemma2',
      vocab_size: 256000,
      hidden_size: 3584,
      intermediate_size: 14336,
      num_hidden_layers: 42,
      num_attention_heads: 16,
      num_key_value_heads: 8,
      head_dim: 256,
      max_position_embeddings: 8192,
      rms_norm_eps: 1e-6,
      rope_theta: 10000,
      attention_bias: false,
      tie_word_embeddings: true,
      torch_dtype: 'float32',
    },
  },
  'phi-3-mini': {
    repo: 'microsoft/Phi-3-mini-4k-instruct',
    config: {
      model_type: 'phi3',
      vocab_size: 32064,
      hidden_size: 3072,
      intermediate_size: 8192,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      max_position_embeddings: 4096,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      attention_bias: false,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  },
  'smollm2-135m': {
    repo: 'HuggingFaceTB/SmolLM2-135M',
    config: {
      ...smollm2,
      hidden_size: 576,
      intermediate_size: 1536,
      num_hidden_layers: 30,
      num_attention_heads: 9,
      num_key_value_heads: 3,
      head_dim: 64,
      rope_theta: 100000,
    },
  },
  'smollm2-360m': {
    repo: 'HuggingFaceTB/SmolLM2-360M',
    config: {
      ...smollm2,
      hidden_size: 960,
      intermediate_size: 2560,
      num_hidden_layers: 32,
      num_attention_heads: 15,
      num_key_value_heads: 5,
      head_dim: 64,
      rope_theta: 100000,
    },
  },
  'smollm2-1.7b': {
    repo: 'HuggingFaceTB/SmolLM2-1.7B',
    config: {
      ...smollm2,
      hidden_size: 2048,
      intermediate_size: 8192,
      num_hidden_layers: 24,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      head_dim: 64,
      rope_theta: 130000,
    },
  },
  gpt2: {
    repo: 'openai-community/gpt2',
    config: {
      model_type: 'gpt2',
      vocab_size: 50257,
      n_embd: 768,
      n_layer: 12,
      n_head: 12,
      n_positions: 1024,
      tie_word_embeddings: true,
      torch_dtype: 'float32',
    },
  },
} satisfies Record<string, CatalogEntry>;

export type CatalogModelName = keyof typeof MODEL_CATALOG;

/** A fresh ModelConfig for a catalog model; CATALOG_UNKNOWN with the nearest names otherwise. */
export function getCatalogModel(name: string): ModelConfig {
  const entry: CatalogEntry | undefined = Object.hasOwn(MODEL_CATALOG, name)
    ? MODEL_CATALOG[name as CatalogModelName]
    : undefined;
  if (entry === undefined) {
    const nearest = nearestNames(name, Object.keys(MODEL_CATALOG)).join(', ');
    throw new ArchitectureError('CATALOG_UNKNOWN', `unknown catalog model "${name}"; nearest: ${nearest}`, {
      fix: 'use one of those names, or pass a parsed config.json instead',
    });
  }
  // A deep copy: callers may edit the config (e.g. rope_scaling) without changing the table.
  const config: ModelConfig = { ...structuredClone(entry.config), extra: {} };
  return config;
}
