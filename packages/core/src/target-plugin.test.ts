import { describe, it, expect, vi } from 'vitest';
import { LorakitError, TargetError } from './errors.js';
import type { ModelModule } from './model-module.js';
import { resolveTargets } from './resolve-targets.js';
import type { TargetConfig } from './resolve-targets.js';
import { defineTargetPlugin, matchesFilter } from './target-plugin.js';
import type { TargetPlugin } from './target-plugin.js';

function linear(name: string, layer: number | undefined): ModelModule {
  return { name, kind: 'linear', in: 16, out: 16, layer, fanInFanOut: false, bias: false, outputHead: false };
}

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

const config = (overrides: Partial<TargetConfig> = {}): TargetConfig => ({
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
  ...overrides,
});

function pluginError(run: () => unknown): LorakitError {
  try {
    run();
  } catch (error) {
    if (error instanceof LorakitError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

const modules = llama();
const byName = (name: string): ModelModule => modules.find((m) => m.name === name) ?? linear(name, undefined);

describe('defineTargetPlugin', () => {
  it('returns a frozen copy whose filter is frozen too', () => {
    const plugin = defineTargetPlugin({
      name: 'my-plugin',
      filter: { names: ['q_proj'], layers: { indices: [1] } },
    });
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(Object.isFrozen(plugin.filter)).toBe(true);
    expect(Object.isFrozen(plugin.filter?.names)).toBe(true);
    expect(Object.isFrozen(plugin.filter?.layers?.indices)).toBe(true);
  });

  it.each([
    [{ name: 'MyPlugin' }, 'target plugin name "MyPlugin" is not kebab-case'],
    [{ name: '' }, 'target plugin name "" is not kebab-case'],
    [{ name: 'p', filter: { name: ['q_proj'] } }, 'target plugin "p": filter has unknown key "name"'],
    [
      { name: 'p', filter: { names: [] } },
      'target plugin "p": filter.names must be a non-empty list of non-empty strings',
    ],
    [{ name: 'p', filter: { pattern: '.*(q' } }, 'target plugin "p": filter.pattern ".*(q" does not compile'],
    [
      { name: 'p', filter: { kinds: ['conv'] } },
      'target plugin "p": filter.kinds must be a non-empty list of "linear" / "embedding"',
    ],
    [
      { name: 'p', filter: { layers: { last: 0 } } },
      'target plugin "p": filter.layers.last must be a positive integer',
    ],
    [
      { name: 'p', filter: { layers: { indices: [-1] } } },
      'target plugin "p": filter.layers.indices must be a list of non-negative integers',
    ],
    [{ name: 'p', filter: { layers: {} } }, 'target plugin "p": filter.layers is empty'],
    [{ name: 'p', resolveModule: 3 }, 'target plugin "p": resolveModule must be a function'],
  ])('rejects %j with PLUGIN_INVALID', (plugin, message) => {
    const error = pluginError(() => defineTargetPlugin(plugin as unknown as TargetPlugin));
    expect(error.code).toBe('PLUGIN_INVALID');
    expect(error.message.startsWith(message)).toBe(true);
  });
});

describe('matchesFilter', () => {
  const context = { layerCount: 4 };
  it('names follow the PEFT list rule', () => {
    expect(matchesFilter({ names: ['q_proj'] }, byName('model.layers.0.self_attn.q_proj'), context)).toBe(
      true,
    );
    expect(matchesFilter({ names: ['proj'] }, byName('model.layers.0.self_attn.q_proj'), context)).toBe(
      false,
    );
    expect(
      matchesFilter({ names: ['self_attn.q_proj'] }, byName('model.layers.0.self_attn.q_proj'), context),
    ).toBe(true);
  });

  it('pattern is a full match', () => {
    expect(matchesFilter({ pattern: 'q_proj' }, byName('model.layers.0.self_attn.q_proj'), context)).toBe(
      false,
    );
    expect(
      matchesFilter({ pattern: '.*\\.q_proj' }, byName('model.layers.0.self_attn.q_proj'), context),
    ).toBe(true);
  });

  it('layers: first, last and indices combine as a union; modules outside layers never match', () => {
    const filter = { layers: { first: 1, last: 1, indices: [2] } };
    expect(
      [0, 1, 2, 3].map((i) => matchesFilter(filter, byName(`model.layers.${i}.mlp.up_proj`), context)),
    ).toEqual([true, false, true, true]);
    expect(matchesFilter(filter, byName('lm_head'), context)).toBe(false);
  });

  it('kinds and excludeOutputHead; every present field must hold', () => {
    const filter = { kinds: ['linear' as const], excludeOutputHead: true };
    expect(matchesFilter(filter, byName('lm_head'), context)).toBe(false);
    expect(matchesFilter(filter, byName('model.embed_tokens'), context)).toBe(false);
    expect(matchesFilter({ kinds: ['linear'] }, byName('lm_head'), context)).toBe(true);
    expect(
      matchesFilter(
        { names: ['q_proj'], layers: { last: 2 } },
        byName('model.layers.1.self_attn.q_proj'),
        context,
      ),
    ).toBe(false);
    expect(matchesFilter({}, byName('model.embed_tokens'), context)).toBe(true);
  });
});

describe('resolveTargets with plugins', () => {
  const lastTwoAttention = defineTargetPlugin({
    name: 'last-two',
    filter: { names: ['q_proj', 'v_proj'], layers: { last: 2 } },
  });

  it('with target_modules null, the plugin filter selects (over the architecture defaults)', () => {
    const resolved = resolveTargets(modules, config(), {
      plugins: [lastTwoAttention],
      defaultTargets: ['k_proj'],
    });
    expect(resolved.map((m) => m.name)).toEqual([
      'model.layers.2.self_attn.q_proj',
      'model.layers.2.self_attn.v_proj',
      'model.layers.3.self_attn.q_proj',
      'model.layers.3.self_attn.v_proj',
    ]);
  });

  it('with target_modules set, the result is the intersection', () => {
    const resolved = resolveTargets(modules, config({ target_modules: ['q_proj', 'k_proj'] }), {
      plugins: [lastTwoAttention],
    });
    expect(resolved.map((m) => m.name)).toEqual([
      'model.layers.2.self_attn.q_proj',
      'model.layers.3.self_attn.q_proj',
    ]);
    expect(
      pluginError(() =>
        resolveTargets(modules, config({ target_modules: ['o_proj'] }), { plugins: [lastTwoAttention] }),
      ).code,
    ).toBe('TARGET_NO_MATCH');
  });

  it('exclude_modules still applies to plugin selections', () => {
    const resolved = resolveTargets(modules, config({ exclude_modules: ['v_proj'] }), {
      plugins: [lastTwoAttention],
    });
    expect(resolved.map((m) => m.name)).toEqual([
      'model.layers.2.self_attn.q_proj',
      'model.layers.3.self_attn.q_proj',
    ]);
  });

  it('hooks: configResolved once, resolveModule per filtered module; false drops, an override sets r/alpha', () => {
    const seen: string[] = [];
    const configResolved = vi.fn();
    const tuner = defineTargetPlugin({
      name: 'tuner',
      filter: { names: ['v_proj'] },
      configResolved,
      resolveModule(module) {
        seen.push(module.name);
        return module.layer === 3 ? false : { r: 4, alpha: 4 };
      },
    });
    const resolved = resolveTargets(
      modules,
      config({ target_modules: ['q_proj', 'v_proj'], layers_to_transform: [2, 3] }),
      { plugins: [lastTwoAttention, tuner] },
    );
    expect(configResolved).toHaveBeenCalledTimes(1);
    expect(configResolved.mock.calls[0]?.[0]).toMatchObject({ layerCount: 4, source: undefined });
    expect(seen).toEqual(['model.layers.2.self_attn.v_proj', 'model.layers.3.self_attn.v_proj']);
    expect(resolved.map((m) => [m.name, m.r, m.alpha, m.scale])).toEqual([
      ['model.layers.2.self_attn.q_proj', 8, 16, 2],
      ['model.layers.2.self_attn.v_proj', 4, 4, 1],
      ['model.layers.3.self_attn.q_proj', 8, 16, 2],
    ]);
  });

  it('a plugin without a filter only hooks: it does not select', () => {
    const halfRank = defineTargetPlugin({ name: 'half-rank', resolveModule: () => ({ r: 4 }) });
    expect(pluginError(() => resolveTargets(modules, config(), { plugins: [halfRank] }))).toBeInstanceOf(
      TargetError,
    );
    expect(
      resolveTargets(modules, config({ target_modules: ['q_proj'] }), { plugins: [halfRank] }).map(
        (m) => m.r,
      ),
    ).toEqual([4, 4, 4, 4]);
  });

  it('a hook returning a bad rank is PLUGIN_INVALID naming plugin and module', () => {
    const bad = defineTargetPlugin({ name: 'bad-rank', resolveModule: () => ({ r: 0 }) });
    const error = pluginError(() =>
      resolveTargets(modules, config({ target_modules: ['q_proj'] }), { plugins: [bad] }),
    );
    expect(error.code).toBe('PLUGIN_INVALID');
    expect(error.message).toBe(
      'target plugin "bad-rank" returned r=0, alpha=undefined for "model.layers.0.self_attn.q_proj"; return a positive integer r and a finite alpha',
    );
  });
});
