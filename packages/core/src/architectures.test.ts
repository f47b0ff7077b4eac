import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, listModelModules, resolveArchitecture } from './architectures.js';
import { ArchitectureError, ConfigError } from './errors.js';
import { getCatalogModel } from './model-catalog.js';
import { parseModelConfig } from './model-config.js';

function byName(
  config: Parameters<typeof listModelModules>[0],
): Map<string, ReturnType<typeof listModelModules>[number]> {
  return new Map(listModelModules(config).map((module) => [module.name, module]));
}

describe('resolveArchitecture', () => {
  it('finds the entry by model_type and names it', () => {
    const spec = resolveArchitecture(getCatalogModel('qwen2.5-7b'));
    expect(spec.name).toBe('qwen2');
    expect(spec.defaultTargetModules).toEqual(['q_proj', 'v_proj']);
    expect(resolveArchitecture(getCatalogModel('gpt2')).defaultTargetModules).toEqual(['c_attn']);
  });

  it("mirrors PEFT's default target_modules, which has none for phi3", () => {
    const defaults = Object.fromEntries(
      Object.entries(ARCHITECTURES).map(([name, spec]) => [name, spec.defaultTargetModules]),
    );
    expect(defaults).toEqual({
      llama: ['q_proj', 'v_proj'],
      mistral: ['q_proj', 'v_proj'],
      mixtral: ['q_proj', 'v_proj'],
      qwen2: ['q_proj', 'v_proj'],
      gemma2: ['q_proj', 'v_proj'],
      phi3: null,
      gpt2: ['c_attn'],
    });
  });

  it('rejects an unknown model_type, listing the supported ones', () => {
    const bert = parseModelConfig({ model_type: 'bert', hidden_size: 768 });
    expect(() => resolveArchitecture(bert)).toThrow(ArchitectureError);
    expect(() => resolveArchitecture(bert)).toThrow(
      'config.json: model_type "bert" is not supported; supported: gemma2, gpt2, llama, mistral, mixtral, phi3, qwen2',
    );
    expect(() => resolveArchitecture(bert, { source: 'bert/config.json' })).toThrow(/^bert\/config\.json: /);
  });
});

describe('listModelModules', () => {
  it('lays out llama-2-70b: embedding, 80 layers of 7 linears, lm_head', () => {
    const modules = listModelModules(getCatalogModel('llama-2-70b'));
    expect(modules).toHaveLength(1 + 80 * 7 + 1);
    expect(modules[0]).toEqual({
      name: 'model.embed_tokens',
      kind: 'embedding',
      in: 32000,
      out: 8192,
      layer: undefined,
      fanInFanOut: false,
      bias: false,
      outputHead: false,
    });
    expect(modules.slice(1, 8).map((module) => [module.name, module.in, module.out])).toEqual([
      ['model.layers.0.self_attn.q_proj', 8192, 8192],
      ['model.layers.0.self_attn.k_proj', 8192, 1024],
      ['model.layers.0.self_attn.v_proj', 8192, 1024],
      ['model.layers.0.self_attn.o_proj', 8192, 8192],
      ['model.layers.0.mlp.gate_proj', 8192, 28672],
      ['model.layers.0.mlp.up_proj', 8192, 28672],
      ['model.layers.0.mlp.down_proj', 28672, 8192],
    ]);
    expect(modules.at(-2)?.name).toBe('model.layers.79.mlp.down_proj');
    expect(modules.at(-2)?.layer).toBe(79);
    expect(modules.at(-1)).toEqual({
      name: 'lm_head',
      kind: 'linear',
      in: 8192,
      out: 32000,
      layer: undefined,
      fanInFanOut: false,
      bias: false,
      outputHead: true,
    });
    const attention = modules.filter((module) => /\.(q|k|v|o)_proj$/.test(module.name));
    expect(attention).toHaveLength(320);
  });

  it('follows attention_bias and mlp_bias for llama', () => {
    const config = { ...getCatalogModel('smollm2-135m'), attention_bias: true, mlp_bias: true };
    const modules = byName(config);
    expect(modules.get('model.layers.3.self_attn.o_proj')?.bias).toBe(true);
    expect(modules.get('model.layers.3.mlp.up_proj')?.bias).toBe(true);
    expect(modules.get('lm_head')?.bias).toBe(false);
  });

  it('gives qwen2 a bias on q/k/v only', () => {
    const modules = byName(getCatalogModel('qwen2.5-0.5b'));
    expect(
      ['q_proj', 'k_proj', 'v_proj', 'o_proj'].map(
        (name) => modules.get(`model.layers.0.self_attn.${name}`)?.bias,
      ),
    ).toEqual([true, true, true, false]);
    expect(modules.get('model.layers.0.self_attn.k_proj')?.out).toBe(128);
    expect(modules.get('model.layers.0.mlp.gate_proj')?.bias).toBe(false);
  });

  it('lays out GPT-2 with Conv1D (fan_in_fan_out) modules: 12 c_attn and 24 c_proj', () => {
    const modules = listModelModules(getCatalogModel('gpt2'));
    expect(modules[0]?.name).toBe('transformer.wte');
    expect(modules.filter((module) => module.name.endsWith('c_attn'))).toHaveLength(12);
    expect(modules.filter((module) => module.name.endsWith('c_proj'))).toHaveLength(24);
    const byModule = byName(getCatalogModel('gpt2'));
    expect(byModule.get('transformer.h.0.attn.c_attn')).toEqual({
      name: 'transformer.h.0.attn.c_attn',
      kind: 'linear',
      in: 768,
      out: 2304,
      layer: 0,
      fanInFanOut: true,
      bias: true,
      outputHead: false,
    });
    expect(byModule.get('transformer.h.11.mlp.c_fc')?.out).toBe(3072);
    expect(byModule.get('transformer.h.11.mlp.c_proj')?.in).toBe(3072);
    expect(byModule.get('lm_head')?.outputHead).toBe(true);
  });

  it('lays out phi3 with fused qkv_proj and gate_up_proj', () => {
    const modules = listModelModules(getCatalogModel('phi-3-mini'));
    expect(modules.slice(1, 5).map((module) => [module.name, module.in, module.out])).toEqual([
      ['model.layers.0.self_attn.o_proj', 3072, 3072],
      ['model.layers.0.self_attn.qkv_proj', 3072, 9216],
      ['model.layers.0.mlp.gate_up_proj', 3072, 16384],
      ['model.layers.0.mlp.down_proj', 8192, 3072],
    ]);
  });

  it('lays out mixtral with a router and 8 experts of w1/w2/w3', () => {
    const modules = byName(getCatalogModel('mixtral-8x7b'));
    expect(modules.size).toBe(2 + 32 * (4 + 1 + 8 * 3));
    expect(modules.get('model.layers.0.block_sparse_moe.gate')).toMatchObject({ in: 4096, out: 8 });
    expect(modules.get('model.layers.31.block_sparse_moe.experts.7.w1')).toMatchObject({
      in: 4096,
      out: 14336,
    });
    expect(modules.get('model.layers.31.block_sparse_moe.experts.7.w2')).toMatchObject({
      in: 14336,
      out: 4096,
    });
    expect(modules.get('model.layers.31.block_sparse_moe.experts.7.w3')).toMatchObject({
      in: 4096,
      out: 14336,
    });
  });

  it('uses gemma2 head_dim 256, which is not hidden/heads', () => {
    const config = getCatalogModel('gemma-2-9b');
    delete config.head_dim;
    const modules = byName(config);
    expect(modules.get('model.layers.0.self_attn.q_proj')).toMatchObject({ in: 3584, out: 4096 });
    expect(modules.get('model.layers.0.self_attn.o_proj')).toMatchObject({ in: 4096, out: 3584 });
    expect(modules.get('model.layers.0.self_attn.v_proj')?.out).toBe(2048);
  });

  it('defaults num_key_value_heads to num_attention_heads', () => {
    const config = parseModelConfig({
      model_type: 'llama',
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      vocab_size: 100,
    });
    expect(byName(config).get('model.layers.0.self_attn.k_proj')?.out).toBe(64);
  });

  it('rejects head counts that do not fit, and a hand-made config missing a key', () => {
    const base = {
      model_type: 'llama',
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 1,
      num_attention_heads: 6,
      vocab_size: 100,
      extra: {},
    };
    expect(() => listModelModules(base)).toThrow(
      'config.json: hidden_size 64 is not divisible by num_attention_heads 6; set "head_dim" explicitly',
    );
    expect(() => listModelModules({ ...base, num_attention_heads: 4, num_key_value_heads: 3 })).toThrow(
      ConfigError,
    );
    const { vocab_size: _vocab, ...withoutVocab } = { ...base, num_attention_heads: 4 };
    expect(() => listModelModules(withoutVocab)).toThrow(
      'config.json: model_type "llama" needs "vocab_size", which is missing',
    );
  });
});
