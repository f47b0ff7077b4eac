import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, FormatError, MathError } from './errors.js';
import {
  PEFT_LORA_DEFAULTS,
  createLoraConfig,
  loraScale,
  parseLoraConfig,
  parseLoraConfigText,
  serializeLoraConfig,
} from './lora-config.js';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseLoraConfig', () => {
  it('applies PEFT defaults to a config holding only peft_type', () => {
    const config = parseLoraConfig({ peft_type: 'LORA' });
    expect(config).toEqual({
      peft_type: 'LORA',
      task_type: null,
      base_model_name_or_path: null,
      revision: null,
      inference_mode: false,
      r: 8,
      lora_alpha: 8,
      lora_dropout: 0,
      target_modules: null,
      exclude_modules: null,
      fan_in_fan_out: false,
      bias: 'none',
      use_rslora: false,
      modules_to_save: null,
      init_lora_weights: true,
      layers_to_transform: null,
      layers_pattern: null,
      rank_pattern: {},
      alpha_pattern: {},
      use_dora: false,
      lora_bias: false,
      extra: {},
    });
  });

  it('does not share default objects between configs', () => {
    const first = parseLoraConfig({});
    first.rank_pattern['q_proj'] = 4;
    expect(parseLoraConfig({}).rank_pattern).toEqual({});
    expect(PEFT_LORA_DEFAULTS.rank_pattern).toEqual({});
  });

  it('keeps unknown keys in extra and warns once, naming all of them and a likely typo', () => {
    const warnings: string[] = [];
    const config = parseLoraConfig(
      {
        peft_type: 'LORA',
        r: 4,
        lora_alpah: 8,
        my_tool: { a: 1 },
        peft_version: '0.13.0',
        megatron_core: 'megatron.core',
      },
      { source: 'run/adapter_config.json', onWarning: (message) => warnings.push(message) },
    );
    expect(config.r).toBe(4);
    expect(config.extra).toEqual({ lora_alpah: 8, my_tool: { a: 1 }, peft_version: '0.13.0' });
    expect(warnings).toEqual([
      'run/adapter_config.json: kept unknown keys "lora_alpah" (did you mean "lora_alpha"?), "my_tool" as they are; lorakit does not interpret them',
    ]);
  });

  it('does not warn for keys PEFT writes, and drops them from extra when they hold the default', () => {
    const warnings: string[] = [];
    const config = parseLoraConfig(
      { loftq_config: {}, megatron_core: 'megatron.core', use_qalora: true, peft_version: '0.21.2' },
      { onWarning: (message) => warnings.push(message) },
    );
    expect(warnings).toEqual([]);
    expect(config.extra).toEqual({ use_qalora: true, peft_version: '0.21.2' });
  });

  it('keeps a "__proto__" key as data', () => {
    const config = parseLoraConfig(JSON.parse('{"__proto__": {"r": 1}}'));
    expect(Object.keys(config.extra)).toEqual(['__proto__']);
    expect(config.r).toBe(8);
  });

  const wrongTypes: [string, unknown, string][] = [
    ['r', '8', 'key "r" must be a positive integer, got "8"'],
    ['r', 0, 'key "r" must be a positive integer, got 0'],
    ['r', -4, 'key "r" must be a positive integer, got -4'],
    ['r', 8.5, 'key "r" must be a positive integer, got 8.5'],
    ['lora_alpha', '16', 'key "lora_alpha" must be a finite number ≥ 0, got "16"'],
    ['lora_alpha', -1, 'key "lora_alpha" must be a finite number ≥ 0, got -1'],
    ['lora_alpha', Number.NaN, 'key "lora_alpha" must be a finite number ≥ 0, got NaN'],
    ['lora_dropout', 1, 'key "lora_dropout" must be a number in [0, 1), got 1'],
    ['lora_dropout', -0.1, 'key "lora_dropout" must be a number in [0, 1), got -0.1'],
    ['lora_dropout', '0.1', 'key "lora_dropout" must be a number in [0, 1), got "0.1"'],
    ['peft_type', 'IA3', 'key "peft_type" must be the string "LORA", got "IA3"'],
    ['task_type', 'CHAT', 'key "task_type" must be null or one of SEQ_CLS'],
    ['base_model_name_or_path', 7, 'key "base_model_name_or_path" must be a string or null, got 7'],
    ['revision', true, 'key "revision" must be a string or null, got true'],
    ['inference_mode', 'true', 'key "inference_mode" must be true or false, got "true"'],
    [
      'target_modules',
      5,
      'key "target_modules" must be a list of module names, a regular expression string, or null, got 5',
    ],
    ['target_modules', ['q_proj', 1], 'key "target_modules" must be a list of module names'],
    [
      'target_modules',
      '(q_proj',
      'key "target_modules" must be a list of module names, a regular expression string, or null, got "(q_proj" (not a valid regular expression',
    ],
    ['exclude_modules', '[a-', 'key "exclude_modules" must be a list of module names'],
    ['fan_in_fan_out', 1, 'key "fan_in_fan_out" must be true or false, got 1'],
    ['bias', 'some', 'key "bias" must be one of "none", "all", "lora_only", got "some"'],
    ['use_rslora', null, 'key "use_rslora" must be true or false, got null'],
    [
      'modules_to_save',
      'lm_head',
      'key "modules_to_save" must be a list of module names or null, got "lm_head"',
    ],
    ['init_lora_weights', 1, 'key "init_lora_weights" must be true, false or a method name'],
    [
      'layers_to_transform',
      [0, -1],
      'key "layers_to_transform" must be a layer index, a list of layer indices, or null, got [0,-1]',
    ],
    ['layers_to_transform', 1.5, 'key "layers_to_transform" must be a layer index'],
    ['layers_pattern', 3, 'key "layers_pattern" must be a string, a list of strings, or null, got 3'],
    [
      'rank_pattern',
      { q_proj: 0 },
      'key "rank_pattern" must be an object mapping module-name patterns to positive integer ranks, got {"q_proj":0}',
    ],
    ['rank_pattern', { q_proj: 2.5 }, 'key "rank_pattern" must be an object mapping'],
    ['rank_pattern', [4], 'key "rank_pattern" must be an object mapping'],
    [
      'alpha_pattern',
      { q_proj: '8' },
      'key "alpha_pattern" must be an object mapping module-name patterns to finite alphas ≥ 0',
    ],
    ['use_dora', 'no', 'key "use_dora" must be true or false, got "no"'],
    ['lora_bias', 0, 'key "lora_bias" must be true or false, got 0'],
  ];
  it.each(wrongTypes)('rejects %s = %j naming the key', (key, value, expected) => {
    const error = thrown(() =>
      parseLoraConfig({ peft_type: 'LORA', [key]: value }, { source: 'a/adapter_config.json' }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    expect((error as ConfigError).message.startsWith(`a/adapter_config.json: ${expected}`)).toBe(true);
    expect((error as ConfigError).fix).toBeTruthy();
  });

  it('writes the fix after the message', () => {
    expect(() => parseLoraConfig({ r: '8' })).toThrow(
      'adapter_config.json: key "r" must be a positive integer, got "8"; write the rank as a whole number such as 8 or 16 (PEFT default 8)',
    );
  });

  it('rejects a non-object', () => {
    expect(() => parseLoraConfig([1])).toThrow('adapter_config.json: must be a JSON object, got [1]');
    expect(() => parseLoraConfig(null)).toThrow(ConfigError);
  });

  it('rejects the combinations PEFT refuses', () => {
    expect(() => parseLoraConfig({ target_modules: '.*q_proj', layers_to_transform: [0] })).toThrow(
      'layers_to_transform cannot be used when target_modules is a regex string',
    );
    expect(() => parseLoraConfig({ target_modules: ['q_proj'], layers_pattern: 'layers' })).toThrow(
      'layers_pattern is set but layers_to_transform is null',
    );
    expect(() => parseLoraConfig({ lora_bias: true, use_dora: true })).toThrow(
      'lora_bias cannot be combined with use_dora',
    );
    expect(() => parseLoraConfig({ lora_bias: true, init_lora_weights: 'pissa' })).toThrow(ConfigError);
  });

  it('accepts Python regex named groups, "all-linear", and null patterns', () => {
    expect(parseLoraConfig({ target_modules: '.*\\.(?P<kind>q|v)_proj' }).target_modules).toBe(
      '.*\\.(?P<kind>q|v)_proj',
    );
    expect(parseLoraConfig({ target_modules: 'all-linear' }).target_modules).toBe('all-linear');
    expect(parseLoraConfig({ rank_pattern: null, alpha_pattern: null }).rank_pattern).toEqual({});
  });
});

describe('parseLoraConfigText', () => {
  it('reads JSON text', () => {
    expect(parseLoraConfigText('{"r": 4, "lora_alpha": 16}').r).toBe(4);
  });

  it('turns a syntax error into FormatError JSON_INVALID naming the source', () => {
    const error = thrown(() => parseLoraConfigText('{"r": 4,', { source: 'x/adapter_config.json' }));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).code).toBe('JSON_INVALID');
    expect((error as FormatError).message).toMatch(/^x\/adapter_config\.json: not valid JSON \(/);
  });
});

describe('serializeLoraConfig', () => {
  it('writes the exact text PEFT writes', () => {
    const text = serializeLoraConfig(createLoraConfig({ r: 4, target_modules: ['v_proj', 'q_proj'] }));
    expect(text).toBe(
      [
        '{',
        '  "alora_invocation_tokens": null,',
        '  "alpha_pattern": {},',
        '  "arrow_config": null,',
        '  "auto_mapping": null,',
        '  "base_model_name_or_path": null,',
        '  "bias": "none",',
        '  "corda_config": null,',
        '  "ensure_weight_tying": false,',
        '  "eva_config": null,',
        '  "exclude_modules": null,',
        '  "fan_in_fan_out": false,',
        '  "inference_mode": true,',
        '  "init_lora_weights": true,',
        '  "kasa_config": null,',
        '  "layer_replication": null,',
        '  "layers_pattern": null,',
        '  "layers_to_transform": null,',
        '  "loftq_config": {},',
        '  "lora_alpha": 8,',
        '  "lora_bias": false,',
        '  "lora_dropout": 0.05,',
        '  "lora_ga_config": null,',
        '  "megatron_config": null,',
        '  "megatron_core": "megatron.core",',
        '  "modules_to_save": null,',
        '  "monteclora_config": null,',
        '  "peft_type": "LORA",',
        '  "peft_version": null,',
        '  "qalora_group_size": 16,',
        '  "r": 4,',
        '  "rank_pattern": {},',
        '  "revision": null,',
        '  "target_modules": [',
        '    "q_proj",',
        '    "v_proj"',
        '  ],',
        '  "target_parameters": null,',
        '  "task_type": "CAUSAL_LM",',
        '  "trainable_token_indices": null,',
        '  "use_bdlora": null,',
        '  "use_dora": false,',
        '  "use_qalora": false,',
        '  "use_rslora": false,',
        '  "velora_config": null',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('round trips parse → serialize → parse', () => {
    const source = {
      r: 12,
      lora_alpha: 24.5,
      lora_dropout: 0.1,
      target_modules: ['q_proj', 'k_proj', 'q_proj'],
      rank_pattern: { 'layers.0.q_proj': 4 },
      alpha_pattern: { 'layers.0.q_proj': 8 },
      layers_to_transform: [0, 1],
      layers_pattern: 'layers',
      modules_to_save: ['lm_head'],
      use_rslora: true,
      peft_version: '0.21.2',
      future_key: { nested: [1, 'é'] },
    };
    const first = parseLoraConfig(source);
    const text = serializeLoraConfig(first);
    const second = parseLoraConfigText(text);
    expect(second).toEqual({ ...first, inference_mode: true, target_modules: ['k_proj', 'q_proj'] });
    expect(serializeLoraConfig(second)).toBe(text);
    expect(text).toContain('"nested": [\n      1,\n      "\\u00e9"\n    ]');
  });

  it('writes resolved targets sorted in place of all-linear, and refuses to write all-linear', () => {
    const config = createLoraConfig({ targetPreset: 'maximum' });
    expect(config.target_modules).toBe('all-linear');
    expect(() => serializeLoraConfig(config)).toThrow(/resolve the targets against the model first/);
    const text = serializeLoraConfig(config, { resolvedTargets: ['up_proj', 'down_proj'] });
    expect(JSON.parse(text).target_modules).toEqual(['down_proj', 'up_proj']);
    expect(text).not.toContain('all-linear');
    expect(() => serializeLoraConfig(config, { resolvedTargets: [] })).toThrow(ConfigError);
  });

  it('refuses a config that lorakit would not read back, or values JSON cannot hold', () => {
    expect(() => serializeLoraConfig({ ...createLoraConfig(), r: 0 })).toThrow(
      'LoraConfig: key "r" must be a positive integer, got 0',
    );
    expect(() => serializeLoraConfig({ ...createLoraConfig(), extra: { hook: () => 1 } })).toThrow(
      'LoraConfig: key "hook" holds a function, which JSON cannot store',
    );
  });
});

describe('createLoraConfig', () => {
  it('uses the decision guide default', () => {
    const config = createLoraConfig();
    expect(config).toEqual({
      ...parseLoraConfig({}),
      r: 16,
      lora_alpha: 32,
      target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
      lora_dropout: 0.05,
      task_type: 'CAUSAL_LM',
    });
  });

  it('derives alpha = 2·r from r, follows presets, and lets explicit settings win', () => {
    expect(createLoraConfig({ r: 8 }).lora_alpha).toBe(16);
    expect(createLoraConfig({ r: 8, lora_alpha: 8 }).lora_alpha).toBe(8);
    expect(createLoraConfig({ preset: 'near-full' })).toMatchObject({ r: 64, lora_alpha: 128 });
    expect(createLoraConfig({ preset: 'simple', r: 4 })).toMatchObject({ r: 4, lora_alpha: 8 });
    expect(createLoraConfig({ targetPreset: 'minimum' }).target_modules).toEqual(['q_proj', 'v_proj']);
    expect(createLoraConfig({ task_type: null, target_modules: null })).toMatchObject({
      task_type: null,
      target_modules: null,
    });
    expect(createLoraConfig({ extra: { use_qalora: true } }).extra).toEqual({ use_qalora: true });
  });

  it('rejects bad settings with ConfigError', () => {
    expect(() => createLoraConfig({ r: -2 })).toThrow(
      'createLoraConfig: key "r" must be a positive integer, got -2',
    );
    expect(() => createLoraConfig({ lora_alhpa: 3 } as never)).toThrow(
      /unknown settings "lora_alhpa".*nearest: lora_alpha/,
    );
    expect(() => createLoraConfig({ preset: 'huge' as never })).toThrow(ConfigError);
    expect(() => createLoraConfig({ targetPreset: 'most' as never })).toThrow(ConfigError);
  });
});

describe('loraScale', () => {
  it('is alpha / r, or alpha / √r with rsLoRA', () => {
    expect(loraScale({ r: 4, lora_alpha: 16, use_rslora: false })).toBe(4);
    expect(loraScale({ r: 4, lora_alpha: 16, use_rslora: true })).toBe(8);
    expect(loraScale(createLoraConfig())).toBe(2);
    expect(loraScale({ r: 8, lora_alpha: 16, use_rslora: false }, { r: 2, alpha: 3 })).toBe(1.5);
  });

  it('rejects r ≤ 0', () => {
    expect(() => loraScale({ r: 0, lora_alpha: 16, use_rslora: false })).toThrow(MathError);
  });
});

const fixtures = fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));
if (!existsSync(fixtures)) console.warn(`lora-config: skipping shared-fixture tests, ${fixtures} is absent`);

describe.skipIf(!existsSync(fixtures))('shared PEFT fixtures', () => {
  const read = (path: string): string => readFileSync(join(fixtures, path), 'utf8');

  it('reads the tiny Llama adapter', () => {
    const config = parseLoraConfigText(read('peft-tiny-llama/adapter/adapter_config.json'));
    expect(config).toMatchObject({
      r: 8,
      lora_alpha: 16,
      fan_in_fan_out: false,
      lora_dropout: 0.05,
      task_type: 'CAUSAL_LM',
    });
    expect([...(config.target_modules as string[])].sort()).toEqual(['q_proj', 'v_proj']);
    expect(loraScale(config)).toBe(2);
  });

  it('reads the real GPT-2 adapter (Conv1D: fan_in_fan_out) without warnings and writes it back unchanged', () => {
    const text = read('real-gpt2-lora/adapter_config.json');
    const warnings: string[] = [];
    const config = parseLoraConfigText(text, { onWarning: (message) => warnings.push(message) });
    expect(config).toMatchObject({
      r: 8,
      lora_alpha: 32,
      fan_in_fan_out: true,
      target_modules: ['c_attn', 'c_proj'],
    });
    expect(warnings).toEqual([]);
    const written = JSON.parse(serializeLoraConfig(config)) as Record<string, unknown>;
    for (const [key, value] of Object.entries(JSON.parse(text) as Record<string, unknown>))
      expect(written[key]).toEqual(value);
  });
});
