import { describe, it, expect } from 'vitest';
import { ConfigError, TargetError } from './errors.js';
import type { ModelModule } from './model-module.js';
import { findPatternValue, resolveTargets } from './resolve-targets.js';
import type { TargetConfig } from './resolve-targets.js';

// Expected values below were checked against peft 0.21.2 on tiny LlamaForCausalLM / GPT2LMHeadModel models.

function linear(name: string, layer: number | undefined, fanInFanOut = false): ModelModule {
  return { name, kind: 'linear', in: 16, out: 16, layer, fanInFanOut, bias: fanInFanOut, outputHead: false };
}

/** A 4-layer llama-like model: embed_tokens, q/k/v/o and gate/up/down per layer, lm_head. */
function llama(layers = 4): ModelModule[] {
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
  for (let i = 0; i < layers; i++) {
    for (const p of ['q', 'k', 'v', 'o']) modules.push(linear(`model.layers.${i}.self_attn.${p}_proj`, i));
    for (const p of ['gate', 'up', 'down']) modules.push(linear(`model.layers.${i}.mlp.${p}_proj`, i));
  }
  modules.push({ ...linear('lm_head', undefined), out: 64, outputHead: true });
  return modules;
}

/** A 2-layer GPT-2-like model with Conv1D (fan-in-fan-out) projections. */
function gpt2(): ModelModule[] {
  const modules: ModelModule[] = [
    {
      name: 'transformer.wte',
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
    for (const n of ['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'])
      modules.push(linear(`transformer.h.${i}.${n}`, i, true));
  }
  modules.push({ ...linear('lm_head', undefined), out: 64, outputHead: true });
  return modules;
}

function config(overrides: Partial<TargetConfig>): TargetConfig {
  return {
    target_modules: null,
    exclude_modules: null,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    r: 8,
    lora_alpha: 8,
    use_rslora: false,
    fan_in_fan_out: false,
    ...overrides,
  };
}

const names = (modules: readonly { name: string }[]): string[] => modules.map((m) => m.name);
const qv = (layers: number[]): string[] =>
  layers.flatMap((i) => [`model.layers.${i}.self_attn.q_proj`, `model.layers.${i}.self_attn.v_proj`]);

function thrown(run: () => unknown): TargetError | ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof TargetError || error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('resolveTargets: target_modules as a list (exact or dot-suffix)', () => {
  it('selects q_proj and v_proj of every layer, in model order, with r/alpha/scale', () => {
    const resolved = resolveTargets(
      llama(),
      config({ target_modules: ['q_proj', 'v_proj'], r: 8, lora_alpha: 16 }),
    );
    expect(names(resolved)).toEqual(qv([0, 1, 2, 3]));
    expect(resolved[0]).toEqual({
      name: 'model.layers.0.self_attn.q_proj',
      kind: 'linear',
      in: 16,
      out: 16,
      layer: 0,
      r: 8,
      alpha: 16,
      scale: 2,
      fanInFanOut: false,
    });
  });

  it('"c_proj" matches attn.c_proj and mlp.c_proj; "attn.c_proj" only the attention one; Conv1D keeps fanInFanOut', () => {
    const both = resolveTargets(gpt2(), config({ target_modules: ['c_proj'], fan_in_fan_out: false }));
    expect(names(both)).toEqual([
      'transformer.h.0.attn.c_proj',
      'transformer.h.0.mlp.c_proj',
      'transformer.h.1.attn.c_proj',
      'transformer.h.1.mlp.c_proj',
    ]);
    expect(both.every((m) => m.fanInFanOut)).toBe(true);
    expect(names(resolveTargets(gpt2(), config({ target_modules: ['attn.c_proj'] })))).toEqual([
      'transformer.h.0.attn.c_proj',
      'transformer.h.1.attn.c_proj',
    ]);
  });

  it('"proj" does not match "q_proj": an error naming the nearest leaf names', () => {
    const error = thrown(() => resolveTargets(llama(), config({ target_modules: ['proj'] })));
    expect(error.code).toBe('TARGET_NO_MATCH');
    expect(error.message).toBe('target module "proj" matches nothing; nearest: q_proj, k_proj, v_proj');
  });

  it('a misspelt entry names the nearest modules, prefixed by the source', () => {
    const error = thrown(() =>
      resolveTargets(llama(), config({ target_modules: ['q_prj'] }), { source: 'adapter_config.json' }),
    );
    expect(error.message).toBe(
      'adapter_config.json: target module "q_prj" matches nothing; nearest: q_proj, k_proj, v_proj',
    );
    const dotted = thrown(() => resolveTargets(llama(), config({ target_modules: ['self_attn.q_prj'] })));
    expect(dotted.message).toBe(
      'target module "self_attn.q_prj" matches nothing; nearest: self_attn.q_proj, self_attn.k_proj, self_attn.v_proj',
    );
  });

  it('strict: false ignores an unmatched entry as PEFT does', () => {
    const resolved = resolveTargets(llama(), config({ target_modules: ['q_proj', 'proj'] }), {
      strict: false,
    });
    expect(names(resolved)).toEqual([0, 1, 2, 3].map((i) => `model.layers.${i}.self_attn.q_proj`));
  });

  it('targets embeddings and the head when named', () => {
    const resolved = resolveTargets(llama(), config({ target_modules: ['embed_tokens', 'lm_head'] }));
    expect(resolved.map((m) => [m.name, m.kind, m.in, m.out])).toEqual([
      ['model.embed_tokens', 'embedding', 64, 16],
      ['lm_head', 'linear', 16, 64],
    ]);
  });

  it('an empty list is invalid', () => {
    expect(thrown(() => resolveTargets(llama(), config({ target_modules: [] }))).code).toBe('TARGET_INVALID');
  });
});

describe('resolveTargets: target_modules as a string (full-match regex) and all-linear', () => {
  it('matches the whole name, not a substring', () => {
    expect(names(resolveTargets(llama(), config({ target_modules: '.*\\.(q|v)_proj' })))).toEqual(
      qv([0, 1, 2, 3]),
    );
    const layer1 = resolveTargets(llama(), config({ target_modules: '.*layers\\.1\\..*_proj' }));
    expect(names(layer1)).toEqual(
      ['q', 'k', 'v', 'o']
        .map((p) => `model.layers.1.self_attn.${p}_proj`)
        .concat(['gate', 'up', 'down'].map((p) => `model.layers.1.mlp.${p}_proj`)),
    );
  });

  it('"q_proj" as a string matches nothing (re.fullmatch), with a hint', () => {
    const error = thrown(() => resolveTargets(llama(), config({ target_modules: 'q_proj' })));
    expect(error.code).toBe('TARGET_NO_MATCH');
    expect(error.message).toContain('target_modules regex "q_proj" matches no whole module name');
    expect(error.message).toContain('try ".*\\.q_proj" or the list ["q_proj"]');
    expect(
      thrown(() => resolveTargets(llama(), config({ target_modules: 'q_proj' }), { strict: false })).message,
    ).toMatch(/^no module is targeted/);
  });

  it('a regex that does not compile is TARGET_INVALID', () => {
    expect(thrown(() => resolveTargets(llama(), config({ target_modules: '.*(q_proj' }))).code).toBe(
      'TARGET_INVALID',
    );
  });

  it('all-linear (any case) takes every linear layer but lm_head, and no embedding', () => {
    for (const target of ['all-linear', 'ALL-LINEAR']) {
      const resolved = resolveTargets(llama(), config({ target_modules: target }));
      expect(resolved).toHaveLength(28);
      expect(names(resolved)).not.toContain('lm_head');
      expect(names(resolved)).not.toContain('model.embed_tokens');
    }
    expect(names(resolveTargets(gpt2(), config({ target_modules: 'all-linear' })))).toEqual(
      names(gpt2()).slice(1, 9),
    );
  });
});

describe('resolveTargets: exclude_modules', () => {
  it('a list excludes exact names and dot-suffixes', () => {
    const resolved = resolveTargets(
      llama(),
      config({
        target_modules: ['q_proj', 'k_proj'],
        exclude_modules: ['model.layers.0.self_attn.q_proj', 'k_proj'],
      }),
    );
    expect(names(resolved)).toEqual([1, 2, 3].map((i) => `model.layers.${i}.self_attn.q_proj`));
  });

  it('a string is a full-match regex', () => {
    const resolved = resolveTargets(
      llama(),
      config({ target_modules: ['q_proj', 'v_proj'], exclude_modules: '.*layers\\.[12]\\..*' }),
    );
    expect(names(resolved)).toEqual(qv([0, 3]));
    expect(
      thrown(() => resolveTargets(llama(), config({ target_modules: ['q_proj'], exclude_modules: 'layers' })))
        .code,
    ).toBe('TARGET_NO_MATCH');
    expect(
      resolveTargets(llama(), config({ target_modules: ['q_proj'], exclude_modules: 'layers' }), {
        strict: false,
      }),
    ).toHaveLength(4);
  });

  it('excluding everything is an error', () => {
    expect(
      thrown(() =>
        resolveTargets(llama(), config({ target_modules: ['q_proj'], exclude_modules: ['q_proj'] })),
      ).code,
    ).toBe('TARGET_NO_MATCH');
  });
});

describe('resolveTargets: layers_to_transform and layers_pattern', () => {
  it('keeps the listed layers, found after the layers_pattern segment', () => {
    const resolved = resolveTargets(
      llama(),
      config({ target_modules: ['q_proj', 'v_proj'], layers_to_transform: [1, 3], layers_pattern: 'layers' }),
    );
    expect(names(resolved)).toEqual(qv([1, 3]));
    const gpt = resolveTargets(
      gpt2(),
      config({ target_modules: ['c_attn'], layers_to_transform: [1], layers_pattern: ['h'] }),
    );
    expect(names(gpt)).toEqual(['transformer.h.1.attn.c_attn']);
  });

  it('an int layer without pattern uses the first numbered segment', () => {
    expect(
      names(resolveTargets(llama(), config({ target_modules: ['q_proj'], layers_to_transform: 2 }))),
    ).toEqual(['model.layers.2.self_attn.q_proj']);
  });

  it('an entry equal to a full name bypasses layers_to_transform, as in PEFT', () => {
    const resolved = resolveTargets(
      llama(),
      config({ target_modules: ['q_proj', 'model.layers.3.self_attn.v_proj'], layers_to_transform: [0] }),
    );
    expect(names(resolved)).toEqual(['model.layers.0.self_attn.q_proj', 'model.layers.3.self_attn.v_proj']);
  });

  it('a pattern that is not in the names targets nothing', () => {
    const error = thrown(() =>
      resolveTargets(
        llama(),
        config({ target_modules: ['q_proj'], layers_to_transform: [1], layers_pattern: 'blocks' }),
      ),
    );
    expect(error.code).toBe('TARGET_NO_MATCH');
  });

  it('is refused with a string target, and layers_pattern alone is refused', () => {
    expect(
      thrown(() => resolveTargets(llama(), config({ target_modules: '.*q_proj', layers_to_transform: [1] })))
        .code,
    ).toBe('TARGET_INVALID');
    expect(
      thrown(() => resolveTargets(llama(), config({ target_modules: 'all-linear', layers_to_transform: 0 })))
        .code,
    ).toBe('TARGET_INVALID');
    expect(
      thrown(() => resolveTargets(llama(), config({ target_modules: ['q_proj'], layers_pattern: 'layers' })))
        .code,
    ).toBe('TARGET_INVALID');
  });
});

describe('resolveTargets: rank_pattern and alpha_pattern', () => {
  const target = { target_modules: ['q_proj', 'v_proj'], r: 8, lora_alpha: 16 };

  it('the first matching key wins: "q_proj" before a full name shadows it', () => {
    const resolved = resolveTargets(
      llama(),
      config({ ...target, rank_pattern: { q_proj: 4, 'model.layers.1.self_attn.q_proj': 2 } }),
    );
    expect(resolved.map((m) => [m.r, m.scale])).toEqual([
      [4, 4],
      [8, 2],
      [4, 4],
      [8, 2],
      [4, 4],
      [8, 2],
      [4, 4],
      [8, 2],
    ]);
  });

  it('a full name placed first applies to that module only', () => {
    const resolved = resolveTargets(
      llama(),
      config({ ...target, rank_pattern: { 'model.layers.1.self_attn.q_proj': 2, q_proj: 4 } }),
    );
    expect(resolved.map((m) => m.r)).toEqual([4, 8, 2, 8, 4, 8, 4, 8]);
    expect(resolved[2]?.scale).toBe(8);
  });

  it('keys are regexes anchored at a dot boundary; "_proj" and "proj" match no name', () => {
    const resolved = resolveTargets(
      llama(),
      config({
        ...target,
        rank_pattern: { 'layers\\.[01]\\.self_attn\\.v_proj': 2 },
        alpha_pattern: { v_proj: 5 },
      }),
    );
    expect(resolved.map((m) => [m.r, m.alpha, m.scale])).toEqual([
      [8, 16, 2],
      [2, 5, 2.5],
      [8, 16, 2],
      [2, 5, 2.5],
      [8, 16, 2],
      [8, 5, 0.625],
      [8, 16, 2],
      [8, 5, 0.625],
    ]);
    const lenient = resolveTargets(llama(), config({ ...target, alpha_pattern: { proj: 3, _proj: 2 } }), {
      strict: false,
    });
    expect(lenient.every((m) => m.alpha === 16)).toBe(true);
    expect(
      thrown(() => resolveTargets(llama(), config({ ...target, alpha_pattern: { proj: 3 } }))).message,
    ).toBe(
      'alpha_pattern key "proj" matches no targeted module; nearest: q_proj, v_proj, model.layers.0.self_attn.q_proj',
    );
  });

  it('"1.self_attn.q_proj" matches layer 1 only', () => {
    const resolved = resolveTargets(
      llama(12),
      config({ target_modules: ['q_proj'], rank_pattern: { '1.self_attn.q_proj': 2 } }),
    );
    expect(resolved.filter((m) => m.r === 2).map((m) => m.name)).toEqual(['model.layers.1.self_attn.q_proj']);
  });

  it('use_rslora scales by alpha/√r', () => {
    const resolved = resolveTargets(
      llama(),
      config({
        target_modules: ['q_proj'],
        r: 16,
        lora_alpha: 8,
        use_rslora: true,
        rank_pattern: { 'layers.0.self_attn.q_proj': 4 },
      }),
    );
    expect(resolved.map((m) => [m.r, m.scale])).toEqual([
      [4, 4],
      [16, 2],
      [16, 2],
      [16, 2],
    ]);
  });

  it('findPatternValue is the same lookup', () => {
    expect(findPatternValue({ q_proj: 4 }, 'model.layers.1.self_attn.q_proj')).toBe(4);
    expect(findPatternValue({ proj: 4 }, 'model.layers.1.self_attn.q_proj')).toBeUndefined();
    expect(
      findPatternValue(
        { 'model.layers.1.self_attn.q_proj': 2, q_proj: 4 },
        'model.layers.1.self_attn.q_proj',
      ),
    ).toBe(2);
  });
});

describe('resolveTargets: defaults and bad numbers', () => {
  it('null target_modules uses the architecture defaults, and layers_to_transform applies to them', () => {
    expect(names(resolveTargets(llama(), config({}), { defaultTargets: ['q_proj', 'v_proj'] }))).toEqual(
      qv([0, 1, 2, 3]),
    );
    expect(
      names(resolveTargets(gpt2(), config({ layers_to_transform: 0 }), { defaultTargets: ['c_attn'] })),
    ).toEqual(['transformer.h.0.attn.c_attn']);
  });

  it('null target_modules without defaults is TARGET_INVALID', () => {
    expect(thrown(() => resolveTargets(llama(), config({}))).code).toBe('TARGET_INVALID');
  });

  it('r must be a positive integer and rank_pattern values too', () => {
    const error = thrown(() => resolveTargets(llama(), config({ target_modules: ['q_proj'], r: 0 })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('r is 0; set r to a positive integer such as 16');
    expect(
      thrown(() =>
        resolveTargets(llama(), config({ target_modules: ['q_proj'], rank_pattern: { q_proj: 2.5 } })),
      ).code,
    ).toBe('CONFIG_INVALID');
  });
});
