import { describe, expect, it } from 'vitest';
import { adapterFromTensors, adapterToTensors } from './adapter.js';
import { LorakitError } from './errors.js';
import { createLoraConfig, parseLoraConfig } from './lora-config.js';
import type { ModelModule } from './model-module.js';
import { fromFloat32 } from './tensor.js';
import type { Tensor } from './tensor.js';

const zeros = (...shape: number[]): Tensor =>
  fromFloat32(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
const config = createLoraConfig({ r: 2, lora_alpha: 4, target_modules: ['q_proj'] });

function linear(name: string, inFeatures: number, outFeatures: number): ModelModule {
  return {
    name,
    kind: 'linear',
    in: inFeatures,
    out: outFeatures,
    layer: 0,
    fanInFanOut: false,
    bias: true,
    outputHead: false,
  };
}

describe('adapterFromTensors', () => {
  it('reads PEFT keys with and without base_model.model., resolving r, alpha and scale per module', () => {
    const tensors = new Map([
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', zeros(2, 8)],
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight', zeros(6, 2)],
      ['model.layers.1.self_attn.q_proj.lora_A.weight', zeros(2, 8)],
      ['model.layers.1.self_attn.q_proj.lora_B.weight', zeros(6, 2)],
    ]);
    const adapter = adapterFromTensors(config, tensors);
    expect(
      adapter.modules.map((module) => [
        module.name,
        module.r,
        module.alpha,
        module.scale,
        module.in,
        module.out,
      ]),
    ).toEqual([
      ['model.layers.0.self_attn.q_proj', 2, 4, 2, 8, 6],
      ['model.layers.1.self_attn.q_proj', 2, 4, 2, 8, 6],
    ]);
    expect([...adapterToTensors(adapter).keys()]).toEqual([
      'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight',
      'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight',
      'base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight',
      'base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight',
    ]);
  });

  it('applies rank_pattern, alpha_pattern and rsLoRA', () => {
    const patterned = parseLoraConfig({
      r: 4,
      lora_alpha: 8,
      use_rslora: true,
      rank_pattern: { 'layers.1.self_attn.q_proj': 1 },
      alpha_pattern: { q_proj: 2 },
    });
    const adapter = adapterFromTensors(
      patterned,
      new Map([
        ['model.layers.0.self_attn.q_proj.lora_A.weight', zeros(4, 8)],
        ['model.layers.0.self_attn.q_proj.lora_B.weight', zeros(8, 4)],
        ['model.layers.1.self_attn.q_proj.lora_A.weight', zeros(1, 8)],
        ['model.layers.1.self_attn.q_proj.lora_B.weight', zeros(8, 1)],
      ]),
    );
    expect(adapter.modules.map((module) => [module.r, module.alpha, module.scale])).toEqual([
      [4, 2, 1], // alpha 2 / √4
      [1, 2, 2], // alpha 2 / √1
    ]);
  });

  it('reads DoRA magnitudes, lora_B biases, embedding LoRA and saved full tensors', () => {
    const dora = parseLoraConfig({ r: 2, lora_alpha: 2, use_dora: true, modules_to_save: ['lm_head'] });
    const adapter = adapterFromTensors(
      dora,
      new Map([
        ['base_model.model.model.embed_tokens.lora_embedding_A', zeros(2, 50)],
        ['base_model.model.model.embed_tokens.lora_embedding_B', zeros(16, 2)],
        ['base_model.model.model.embed_tokens.base_layer.weight', zeros(50, 16)],
        ['base_model.model.model.layers.0.mlp.up_proj.lora_A.weight', zeros(2, 16)],
        ['base_model.model.model.layers.0.mlp.up_proj.lora_B.weight', zeros(24, 2)],
        ['base_model.model.model.layers.0.mlp.up_proj.lora_magnitude_vector', zeros(24)],
        ['base_model.model.lm_head.weight', zeros(50, 16)],
      ]),
    );
    expect(
      adapter.modules.map((module) => [
        module.name,
        module.kind,
        module.in,
        module.out,
        module.magnitude !== undefined,
      ]),
    ).toEqual([
      ['model.embed_tokens', 'embedding', 50, 16, false],
      ['model.layers.0.mlp.up_proj', 'linear', 16, 24, true],
    ]);
    expect([...adapter.otherTensors.keys()]).toEqual([
      'model.embed_tokens.base_layer.weight',
      'lm_head.weight',
    ]);
    expect([...adapterToTensors(adapter).keys()]).toContain(
      'base_model.model.model.embed_tokens.lora_embedding_A',
    );
  });

  it.each([
    [
      'an adapter name inside a key',
      [['model.q_proj.lora_A.default.weight', zeros(2, 8)]],
      /has an adapter name inside its key/,
    ],
    [
      'A without B',
      [['model.q_proj.lora_A.weight', zeros(2, 8)]],
      /module "model.q_proj" has lora_A.weight but no lora_B.weight/,
    ],
    [
      'ranks that disagree between A and B',
      [
        ['model.q_proj.lora_A.weight', zeros(2, 8)],
        ['model.q_proj.lora_B.weight', zeros(6, 3)],
      ],
      /has lora_A.weight \[2, 8\] and lora_B.weight \[6, 3\]/,
    ],
    [
      'a rank other than the config says',
      [
        ['model.q_proj.lora_A.weight', zeros(3, 8)],
        ['model.q_proj.lora_B.weight', zeros(6, 3)],
      ],
      /has rank 3 in its tensors but the config says r=2/,
    ],
    [
      'a magnitude vector without use_dora',
      [
        ['model.q_proj.lora_A.weight', zeros(2, 8)],
        ['model.q_proj.lora_B.weight', zeros(6, 2)],
        ['model.q_proj.lora_magnitude_vector', zeros(6)],
      ],
      /DoRA magnitude vector but use_dora is false/,
    ],
    [
      'an integer tensor',
      [
        ['model.q_proj.lora_A.weight', { dtype: 'I32', shape: [2, 8], data: new Uint8Array(64) } as Tensor],
        ['model.q_proj.lora_B.weight', zeros(6, 2)],
      ],
      /has dtype I32; LoRA tensors must be F32, F16 or BF16/,
    ],
  ] as const)('rejects %s with a typed error naming the module', (_, entries, message) => {
    const run = (): unknown =>
      adapterFromTensors(config, new Map(entries as unknown as [string, Tensor][]), {
        source: 'x.safetensors',
      });
    expect(run).toThrow(LorakitError);
    expect(run).toThrow(message);
  });

  it('checks modules against the base: missing module (with nearest names) and other shapes', () => {
    const tensors = new Map([
      ['model.layers.0.self_attn.q_proj.lora_A.weight', zeros(2, 8)],
      ['model.layers.0.self_attn.q_proj.lora_B.weight', zeros(6, 2)],
    ]);
    const base = [
      linear('model.layers.0.self_attn.q_proj', 8, 8),
      linear('model.layers.0.self_attn.k_proj', 8, 6),
    ];
    expect(() => adapterFromTensors(config, tensors, { baseModules: base })).toThrow(
      'adapter: module "model.layers.0.self_attn.q_proj" is linear 8→6 in the adapter but linear 8→8 in the base model; this adapter was made for another base model',
    );
    expect(() =>
      adapterFromTensors(config, tensors, { baseModules: [linear('model.layers.0.attn.q_proj', 8, 6)] }),
    ).toThrow(/does not exist in the base model; nearest: model.layers.0.attn.q_proj/);
  });
});
