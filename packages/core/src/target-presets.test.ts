import { describe, it, expect } from 'vitest';
import type { ModelModule } from './model-module.js';
import { resolveTargets } from './resolve-targets.js';
import type { TargetConfig } from './resolve-targets.js';
import { TARGET_PRESETS } from './target-presets.js';

function linear(name: string, layer: number | undefined, fanInFanOut = false): ModelModule {
  return { name, kind: 'linear', in: 16, out: 16, layer, fanInFanOut, bias: false, outputHead: false };
}

function llama(): ModelModule[] {
  const modules: ModelModule[] = [
    {
      name: 'model.embed_tokens',
      kind: 'embedding',
      in: 64,
      out: 16,
      layer: undefined,
      fanInFanOut: false,
      bias: false,
      outputHead: false,
    },
  ];
  for (let i = 0; i < 2; i++) {
    for (const p of ['q', 'k', 'v', 'o']) modules.push(linear(`model.layers.${i}.self_attn.${p}_proj`, i));
    for (const p of ['gate', 'up', 'down']) modules.push(linear(`model.layers.${i}.mlp.${p}_proj`, i));
  }
  modules.push({ ...linear('lm_head', undefined), outputHead: true });
  return modules;
}

const config: TargetConfig = {
  target_modules: null,
  exclude_modules: null,
  layers_to_transform: null,
  layers_pattern: null,
  rank_pattern: {},
  alpha_pattern: {},
  r: 16,
  lora_alpha: 32,
  use_rslora: false,
  fan_in_fan_out: false,
};

const selected = (preset: keyof typeof TARGET_PRESETS, modules = llama()): string[] =>
  resolveTargets(modules, config, { plugins: [TARGET_PRESETS[preset]] }).map((m) => m.name);

describe('built-in target presets', () => {
  it('minimum adapts q_proj and v_proj', () => {
    expect(selected('minimum')).toEqual([
      'model.layers.0.self_attn.q_proj',
      'model.layers.0.self_attn.v_proj',
      'model.layers.1.self_attn.q_proj',
      'model.layers.1.self_attn.v_proj',
    ]);
  });

  it('recommended adapts the four attention projections', () => {
    expect(selected('recommended')).toEqual(
      [0, 1].flatMap((i) => ['q', 'k', 'v', 'o'].map((p) => `model.layers.${i}.self_attn.${p}_proj`)),
    );
  });

  it('maximum adapts every linear layer but the output head, like "all-linear"', () => {
    const maximum = selected('maximum');
    expect(maximum).toHaveLength(14);
    expect(maximum).not.toContain('lm_head');
    expect(maximum).not.toContain('model.embed_tokens');
    expect(maximum).toEqual(
      resolveTargets(llama(), { ...config, target_modules: 'all-linear' }).map((m) => m.name),
    );
    const gpt2 = [0, 1].flatMap((i) =>
      ['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'].map((n) =>
        linear(`transformer.h.${i}.${n}`, i, true),
      ),
    );
    expect(selected('maximum', [...gpt2, { ...linear('lm_head', undefined), outputHead: true }])).toEqual(
      gpt2.map((m) => m.name),
    );
  });

  it('are declarative: the filters are plain data', () => {
    expect(TARGET_PRESETS.minimum.filter).toEqual({ names: ['q_proj', 'v_proj'] });
    expect(TARGET_PRESETS.maximum.filter).toEqual({ kinds: ['linear'], excludeOutputHead: true });
  });
});
