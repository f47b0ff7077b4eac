import { describe, it, expect } from 'vitest';
import { resolveTargets } from '@lorakit/core';
import type { ModelModule, TargetConfig } from '@lorakit/core';
import { lastLayersAttention } from './index.js';

function linear(name: string, layer: number): ModelModule {
  return { name, kind: 'linear', in: 8, out: 8, layer, fanInFanOut: false, bias: false, outputHead: false };
}

const modules: ModelModule[] = [0, 1, 2].flatMap((i) => [
  ...['q', 'k', 'v', 'o'].map((p) => linear(`model.layers.${i}.self_attn.${p}_proj`, i)),
  linear(`model.layers.${i}.mlp.up_proj`, i),
]);

const config: TargetConfig = {
  target_modules: null,
  exclude_modules: null,
  layers_to_transform: null,
  layers_pattern: null,
  rank_pattern: {},
  alpha_pattern: {},
  r: 8,
  lora_alpha: 16,
  use_rslora: false,
  fan_in_fan_out: false,
};

describe('lastLayersAttention', () => {
  it('selects q/k/v/o of the last layer at the given rank', () => {
    const resolved = resolveTargets(modules, config, {
      plugins: [lastLayersAttention({ layers: 1, rank: 4 })],
    });
    expect(resolved.map((m) => [m.name, m.r, m.scale])).toEqual([
      ['model.layers.2.self_attn.q_proj', 4, 4],
      ['model.layers.2.self_attn.k_proj', 4, 4],
      ['model.layers.2.self_attn.v_proj', 4, 4],
      ['model.layers.2.self_attn.o_proj', 4, 4],
    ]);
  });

  it('refuses more layers than the model has', () => {
    expect(() => resolveTargets(modules, config, { plugins: [lastLayersAttention({ layers: 5 })] })).toThrow(
      /model has 3/,
    );
  });
});
