/**
 * Interoperability with the real PEFT (run by `pnpm test:interop`, which sets LORAKIT_INTEROP=1 and
 * LORAKIT_PEERS_PYTHON to a Python with torch, transformers, peft and safetensors). Both directions:
 * lorakit writes configs and adapters that PEFT reads, loads and merges; PEFT saves adapters that lorakit reads
 * and merges. Merged weights must agree within MERGE_TOLERANCE (max |lorakit − PEFT| over every element).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from './adapter.js';
import {
  listModelModules,
  parseModelConfig,
  resolveTargets,
  createLoraConfig,
  fromFloat32,
} from './index.js';
import type { CreateLoraConfigSettings, ModelConfig, Tensor } from './index.js';
import { listAdapterFolders, mergeAdapterFolder, readAdapterFolder, readCheckpoint } from './node.js';
import { readModelConfigFile, readSafetensorsFile, writeAdapterFolder } from './node.js';
import {
  INTEROP_ENABLED,
  randomAdapter,
  randomValues,
  seededRandom,
  runInteropPython,
  writeRandomModel,
} from './test.js';
import { toFloat32 } from './tensor.js';

const MERGE_TOLERANCE = 1e-5;
/** The one warning PEFT 0.21 + transformers 5.24 print on every load, whatever the adapter: not about our files. */
const BENIGN_WARNING = /`is_gradient_checkpointing` is deprecated/;
const ENABLED = INTEROP_ENABLED;
if (!ENABLED) {
  console.warn(
    'peft interop: skipped, LORAKIT_INTEROP=1 and LORAKIT_PEERS_PYTHON (a Python with peft) are not both set; run `pnpm test:interop`',
  );
}

/** Largest |a − b| over every tensor of two state dicts, which must have the same keys and shapes. */
function maxDifference(actual: ReadonlyMap<string, Tensor>, expected: ReadonlyMap<string, Tensor>): number {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  let largest = 0;
  for (const [key, tensor] of expected) {
    const other = actual.get(key) as Tensor;
    expect(other.shape, key).toEqual(tensor.shape);
    const a = toFloat32(other);
    const b = toFloat32(tensor);
    for (let i = 0; i < a.length; i++)
      largest = Math.max(largest, Math.abs((a[i] as number) - (b[i] as number)));
  }
  return largest;
}

/** lorakit's merge of ADAPTER into BASE, compared with the weights PEFT's merge_and_unload saved. */
async function compareMerge(
  base: string,
  adapter: string,
  pythonMerged: string,
  out: string,
): Promise<number> {
  await mergeAdapterFolder({ base, adapter, out });
  const ours = await readCheckpoint(out);
  const theirs = await readSafetensorsFile(pythonMerged);
  return maxDifference(ours.tensors, theirs.tensors);
}

const SMALL = {
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 96,
  tie_word_embeddings: false,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-6,
};
const MODELS: Record<'llama' | 'qwen2', ModelConfig> = {
  llama: parseModelConfig({ model_type: 'llama', ...SMALL }),
  qwen2: parseModelConfig({ model_type: 'qwen2', ...SMALL }),
};

interface LorakitCase {
  model: keyof typeof MODELS;
  settings: CreateLoraConfigSettings;
  /** Add DoRA magnitudes or lora_bias vectors (random, made by lorakit). */
  extras?: 'magnitude' | 'bias';
}

/** Adapters lorakit writes: every config shape the brief lists, and tensors PEFT must load and merge. */
const LORAKIT_CASES: Record<string, LorakitCase> = {
  defaults: { model: 'llama', settings: {} },
  'rslora-patterns': {
    model: 'llama',
    settings: {
      r: 8,
      lora_alpha: 16,
      use_rslora: true,
      rank_pattern: { 'model.layers.1.self_attn.q_proj': 2, q_proj: 4 },
      alpha_pattern: { v_proj: 32 },
    },
  },
  dora: {
    model: 'llama',
    settings: { use_dora: true, target_modules: ['q_proj', 'v_proj'] },
    extras: 'magnitude',
  },
  'all-linear': { model: 'llama', settings: { target_modules: 'all-linear', r: 4 } },
  exclude: {
    model: 'llama',
    settings: {
      target_modules: ['q_proj', 'k_proj', 'v_proj'],
      exclude_modules: ['model.layers.0.self_attn.k_proj'],
    },
  },
  layers: { model: 'llama', settings: { target_modules: ['q_proj', 'v_proj'], layers_to_transform: [1] } },
  embedding: { model: 'llama', settings: { target_modules: ['embed_tokens', 'q_proj'], r: 4 } },
  'qwen2-all-linear': { model: 'qwen2', settings: { target_modules: 'all-linear', r: 4 } },
  'qwen2-lora-bias': {
    model: 'qwen2',
    settings: { target_modules: ['q_proj', 'k_proj', 'v_proj'], lora_bias: true },
    extras: 'bias',
  },
};

function withExtras(adapter: Adapter, extras: LorakitCase['extras'], seed: number): Adapter {
  if (!extras) return adapter;
  const random = seededRandom(seed);
  const modules = adapter.modules.map((module) => {
    const values = randomValues(random, module.out, 0.5);
    // Magnitudes are row norms, so keep them positive (0.5…1.5); biases are plain ±0.5.
    if (extras === 'magnitude')
      return {
        ...module,
        magnitude: fromFloat32(
          values.map((v) => v + 1),
          [module.out],
          'F32',
        ),
      };
    return { ...module, loraBias: fromFloat32(values, [module.out], 'F32') };
  });
  return { ...adapter, modules };
}

/** Largest merge difference per case, printed at the end for the report. */
const measured: Record<string, number> = {};
let workDir = '';

describe.skipIf(!ENABLED)('PEFT interop', () => {
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'lorakit-interop-'));
  });
  afterAll(async () => {
    console.log(`peft interop: max |lorakit − PEFT| per merge: ${JSON.stringify(measured)}`);
    // LORAKIT_INTEROP_KEEP=1 keeps the folders (adapters, bases, merged weights) to look at after a failure.
    if (process.env['LORAKIT_INTEROP_KEEP'] === '1') console.log(`peft interop: files kept in ${workDir}`);
    else if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  describe('lorakit → PEFT', () => {
    const written: Record<string, { base: string; adapter: string; config: string }> = {};
    let configs: Record<
      string,
      { ok: boolean; error: string | null; warnings: string[]; fields: Record<string, unknown> }
    >;
    let loads: Record<
      string,
      {
        ok: boolean;
        error: string | null;
        warnings: string[];
        missing: string[];
        unexpected: string[];
        max_load_diff: number;
        compared: number;
      }
    >;

    beforeAll(async () => {
      for (const [name, config] of Object.entries(MODELS))
        await writeRandomModel(join(workDir, `${name}-base`), config, { seed: 11 });
      let seed = 100;
      for (const [id, testCase] of Object.entries(LORAKIT_CASES)) {
        const config = createLoraConfig(testCase.settings);
        const modules = resolveTargets(listModelModules(MODELS[testCase.model]), config);
        const adapter = withExtras(randomAdapter(config, modules, { seed: seed++ }), testCase.extras, seed++);
        const folder = join(workDir, 'lorakit', id);
        await writeAdapterFolder(folder, adapter);
        written[id] = {
          base: join(workDir, `${testCase.model}-base`),
          adapter: folder,
          config: join(folder, 'adapter_config.json'),
        };
      }
      const dirs = Object.fromEntries(Object.entries(written).map(([id, entry]) => [id, entry.adapter]));
      configs = await runInteropPython('peft_read_configs.py', { dirs }, workDir);
      const cases = Object.fromEntries(
        Object.entries(written).map(([id, entry]) => [
          id,
          { ...entry, merged: join(workDir, 'lorakit', `${id}.merged.safetensors`) },
        ]),
      );
      loads = await runInteropPython('peft_load_merge.py', { cases }, workDir);
    }, 600_000);

    it.each(Object.keys(LORAKIT_CASES))(
      '%s: LoraConfig.from_pretrained reads it with no warning, field for field',
      async (id) => {
        const result = configs[id];
        expect(result?.error ?? null).toBeNull();
        expect(result?.warnings).toEqual([]);
        const file = JSON.parse(await readFile(written[id]?.config ?? '', 'utf8')) as Record<string, unknown>;
        const fields = result?.fields ?? {};
        for (const [key, value] of Object.entries(file)) {
          // PEFT holds target/exclude lists as sets, fills peft_version in on load.
          if (key === 'peft_version') continue;
          const expected = Array.isArray(value) && key.endsWith('_modules') ? [...value].sort() : value;
          expect(fields[key], key).toEqual(expected);
        }
        const ours = createLoraConfig(LORAKIT_CASES[id]?.settings ?? {});
        for (const key of [
          'r',
          'lora_alpha',
          'use_rslora',
          'use_dora',
          'lora_bias',
          'rank_pattern',
          'alpha_pattern',
          'layers_to_transform',
        ] as const)
          expect(fields[key], key).toEqual(ours[key]);
        const excluded = Array.isArray(ours.exclude_modules)
          ? [...ours.exclude_modules].sort()
          : ours.exclude_modules;
        expect(fields['exclude_modules']).toEqual(excluded);
      },
    );

    it.each(Object.keys(LORAKIT_CASES))(
      '%s: PeftModel.from_pretrained loads every tensor; merges agree',
      async (id) => {
        const result = loads[id];
        expect(result?.error ?? null).toBeNull();
        expect(result?.warnings.filter((line) => !BENIGN_WARNING.test(line))).toEqual([]);
        expect(result?.missing).toEqual([]);
        expect(result?.unexpected).toEqual([]);
        expect(result?.max_load_diff).toBe(0);
        const adapter = await readAdapterFolder(written[id]?.adapter ?? '');
        const perModule = adapter.modules.map(
          (module) => 2 + (module.magnitude ? 1 : 0) + (module.loraBias ? 1 : 0),
        );
        expect(result?.compared).toBe(perModule.reduce((sum, count) => sum + count, 0));
        const entry = written[id] as { base: string; adapter: string };
        const difference = await compareMerge(
          entry.base,
          entry.adapter,
          join(workDir, 'lorakit', `${id}.merged.safetensors`),
          join(workDir, 'lorakit-merged', id),
        );
        measured[`lorakit:${id}`] = difference;
        expect(difference).toBeLessThanOrEqual(MERGE_TOLERANCE);
      },
    );
  });

  describe('PEFT → lorakit', () => {
    interface MadeCase {
      adapter: string;
      base: string;
      modules: Record<string, Record<string, { r: number; alpha: number; scale: number }>>;
    }
    let manifest: { cases: Record<string, MadeCase> };
    beforeAll(async () => {
      manifest = await runInteropPython('peft_make_adapters.py', { root: join(workDir, 'peft') }, workDir);
    }, 600_000);

    /** What each PEFT-made adapter must hold besides A and B. */
    const EXPECTED: Record<string, { magnitude?: boolean; bias?: boolean; other?: string[] }> = {
      lora: {},
      dora: { magnitude: true },
      'modules-to-save': { other: ['lm_head.weight'] },
      embedding: { other: ['model.embed_tokens.base_layer.weight'] },
      'lora-bias': { bias: true },
      patterns: {},
      rslora: {},
    };

    it.each(Object.keys(EXPECTED))(
      '%s: readAdapterFolder matches PEFT per module; merges agree',
      async (id) => {
        const made = manifest.cases[id] as MadeCase;
        const expected = EXPECTED[id] ?? {};
        const baseModules = listModelModules(await readModelConfigFile(join(made.base, 'config.json')));
        const adapter = await readAdapterFolder(made.adapter, { baseModules });
        const peftModules = made.modules['default'] ?? {};
        expect(adapter.modules.map((module) => module.name)).toEqual(Object.keys(peftModules).sort());
        for (const module of adapter.modules) {
          const theirs = peftModules[module.name];
          expect({ r: module.r, alpha: module.alpha }, module.name).toEqual({
            r: theirs?.r,
            alpha: theirs?.alpha,
          });
          expect(module.scale, module.name).toBeCloseTo(theirs?.scale ?? Number.NaN, 12);
          expect(module.magnitude !== undefined, `${module.name} magnitude`).toBe(
            expected.magnitude === true && module.kind === 'linear',
          );
          expect(module.loraBias !== undefined, `${module.name} bias`).toBe(expected.bias === true);
        }
        expect([...adapter.otherTensors.keys()].sort()).toEqual(expected.other ?? []);
        const difference = await compareMerge(
          made.base,
          made.adapter,
          join(made.adapter, '..', 'merged.safetensors'),
          join(workDir, 'peft-merged', id),
        );
        measured[`peft:${id}`] = difference;
        expect(difference).toBeLessThanOrEqual(MERGE_TOLERANCE);
      },
    );

    it('two adapters in one folder: listAdapterFolders finds both and each reads', async () => {
      const made = manifest.cases['multi'] as MadeCase;
      expect(await listAdapterFolders(made.adapter)).toEqual(['default', 'second']);
      const baseModules = listModelModules(await readModelConfigFile(join(made.base, 'config.json')));
      for (const name of ['default', 'second']) {
        const adapter = await readAdapterFolder(made.adapter, { name, baseModules });
        const theirs = made.modules[name] ?? {};
        expect(adapter.modules.map((module) => module.name)).toEqual(Object.keys(theirs).sort());
        expect(adapter.modules.map((module) => [module.r, module.scale])).toEqual(
          Object.keys(theirs)
            .sort()
            .map((key) => [theirs[key]?.r, theirs[key]?.scale]),
        );
      }
    });
  });
});
