import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseModelConfig } from './model-config.js';

// The config.json of HuggingFaceTB/SmolLM2-135M (keys in the order the Hub file has them).
const SMOLLM2_135M = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  bos_token_id: 0,
  head_dim: 64,
  hidden_act: 'silu',
  hidden_size: 576,
  intermediate_size: 1536,
  max_position_embeddings: 8192,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 9,
  num_hidden_layers: 30,
  num_key_value_heads: 3,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  rope_theta: 100000,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  vocab_size: 49152,
};

describe('parseModelConfig', () => {
  it('reads the interpreted keys and keeps the rest in extra', () => {
    const config = parseModelConfig(SMOLLM2_135M);
    expect(config).toEqual({
      model_type: 'llama',
      attention_bias: false,
      head_dim: 64,
      hidden_size: 576,
      intermediate_size: 1536,
      max_position_embeddings: 8192,
      mlp_bias: false,
      num_attention_heads: 9,
      num_hidden_layers: 30,
      num_key_value_heads: 3,
      rms_norm_eps: 1e-5,
      rope_theta: 100000,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      vocab_size: 49152,
      extra: { architectures: ['LlamaForCausalLM'], bos_token_id: 0, hidden_act: 'silu' },
    });
    expect('rope_scaling' in config).toBe(false);
  });

  it("reads transformers 5's dtype as torch_dtype", () => {
    const { torch_dtype: _torchDtype, ...rest } = SMOLLM2_135M;
    expect(parseModelConfig({ ...rest, dtype: 'float16' }).torch_dtype).toBe('float16');
  });

  it('reads GPT-2 keys, n_inner null meaning absent', () => {
    const config = parseModelConfig({
      model_type: 'gpt2',
      n_embd: 768,
      n_layer: 12,
      n_head: 12,
      n_inner: null,
      n_positions: 1024,
      vocab_size: 50257,
    });
    expect(config.n_embd).toBe(768);
    expect(config.n_inner).toBeUndefined();
  });

  it('parses an unknown model_type without checking architecture keys', () => {
    expect(parseModelConfig({ model_type: 'bert', hidden_size: 768 }).hidden_size).toBe(768);
  });

  it('names the key and the file when a type is wrong', () => {
    expect(() =>
      parseModelConfig({ ...SMOLLM2_135M, hidden_size: '576' }, { source: 'models/smol/config.json' }),
    ).toThrow(
      'models/smol/config.json: key "hidden_size" must be a positive integer, got "576"; correct "hidden_size" in models/smol/config.json',
    );
    expect(() => parseModelConfig({ ...SMOLLM2_135M, num_hidden_layers: 2.5 })).toThrow(
      'key "num_hidden_layers" must be a positive integer, got 2.5',
    );
    expect(() => parseModelConfig({ ...SMOLLM2_135M, tie_word_embeddings: 'yes' })).toThrow(
      'key "tie_word_embeddings" must be true or false',
    );
    expect(() => parseModelConfig({ ...SMOLLM2_135M, rms_norm_eps: -1 })).toThrow(
      'key "rms_norm_eps" must be a positive number, got -1',
    );
    expect(() => parseModelConfig({ ...SMOLLM2_135M, rope_scaling: [1] })).toThrow(
      'key "rope_scaling" must be an object, got [1]',
    );
  });

  it('requires model_type and an object', () => {
    expect(() => parseModelConfig([])).toThrow('config.json: expected a JSON object, got []');
    expect(() => parseModelConfig({ hidden_size: 4 })).toThrow(
      'config.json: key "model_type" must be a non-empty string, got nothing',
    );
    expect(() => parseModelConfig(null)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('requires the keys the architecture needs', () => {
    const { vocab_size: _vocab, intermediate_size: _intermediate, ...partial } = SMOLLM2_135M;
    expect(() => parseModelConfig(partial)).toThrow(ConfigError);
    expect(() => parseModelConfig(partial)).toThrow(
      'config.json: model_type "llama" needs "intermediate_size", "vocab_size", which are missing',
    );
    expect(() =>
      parseModelConfig({ model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, vocab_size: 50257 }),
    ).toThrow('model_type "gpt2" needs "n_positions", which is missing');
  });

  it('reads transformers 5 "rope_parameters" into rope_theta and rope_scaling', () => {
    const base = {
      model_type: 'qwen2',
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      vocab_size: 100,
    };
    const plain = parseModelConfig({
      ...base,
      rope_parameters: { rope_type: 'default', rope_theta: 1_000_000 },
    });
    expect(plain.rope_theta).toBe(1_000_000);
    expect(plain.rope_scaling).toBeUndefined();
    const scaled = parseModelConfig({
      ...base,
      rope_parameters: {
        rope_type: 'llama3',
        rope_theta: 500_000,
        factor: 8,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 8192,
      },
    });
    expect(scaled.rope_theta).toBe(500_000);
    expect(scaled.rope_scaling?.['factor']).toBe(8);
    expect(
      parseModelConfig({ ...base, rope_theta: 10, rope_parameters: { rope_theta: 20 } }).rope_theta,
    ).toBe(10);
    expect(() =>
      parseModelConfig({ ...base, rope_parameters: { rope_theta: -1 } }, { source: 'm/config.json' }),
    ).toThrow('m/config.json: rope_parameters.rope_theta must be a positive number, got -1');
  });
});
