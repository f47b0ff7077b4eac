import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createLoraConfig,
  listModelModules,
  parseModelConfig,
  resolveTargets,
  toFloat32,
} from '@lorakit/core';
import type { Adapter, ModelConfig, Tensor } from '@lorakit/core';
import { readCheckpoint, writeAdapterFolder } from '@lorakit/core/node';
import { randomAdapter, writeRandomModel } from '@lorakit/core/test';
import { captureCli } from '../testing/capture-cli.js';
import { fixturesDir, fixturesSkipReason } from '../testing/fixtures.js';

const llama = parseModelConfig({
  model_type: 'llama',
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 50,
});
const gpt2 = parseModelConfig({
  model_type: 'gpt2',
  n_embd: 24,
  n_layer: 2,
  n_head: 4,
  n_positions: 16,
  vocab_size: 40,
});

interface Setup {
  root: string;
  base: string;
  adapterDir: string;
  adapter: Adapter;
  baseTensors: Map<string, Tensor>;
}

async function setup(
  config: ModelConfig,
  targets: string[],
  options: { maxShardBytes?: number } = {},
): Promise<Setup> {
  const root = mkdtempSync(join(tmpdir(), 'lorakit-merge-'));
  const base = join(root, 'base');
  const baseTensors = await writeRandomModel(base, config, { seed: 7, ...options });
  writeFileSync(join(base, 'tokenizer.json'), '{"version":"1.0"}');
  writeFileSync(join(base, 'tokenizer_config.json'), '{}');
  const loraConfig = createLoraConfig({ r: 4, lora_alpha: 12, target_modules: targets });
  const adapter = randomAdapter(loraConfig, resolveTargets(listModelModules(config), loraConfig), {
    seed: 3,
  });
  const adapterDir = join(root, 'adapter');
  await writeAdapterFolder(adapterDir, adapter);
  return { root, base, adapterDir, adapter, baseTensors };
}

/** W + scale·B·A computed the plain way, in the layout of W ([out, in], or [in, out] for Conv1D). */
function expectedMerge(weight: Tensor, module: Adapter['modules'][number]): Float32Array {
  const w = toFloat32(weight);
  const a = toFloat32(module.loraA);
  const b = toFloat32(module.loraB);
  for (let o = 0; o < module.out; o++) {
    for (let i = 0; i < module.in; i++) {
      let sum = 0;
      for (let k = 0; k < module.r; k++)
        sum += (b[o * module.r + k] as number) * (a[k * module.in + i] as number);
      const index = module.fanInFanOut ? i * module.out + o : o * module.in + i;
      w[index] = (w[index] as number) + module.scale * sum;
    }
  }
  return w;
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

describe('lorakit merge', () => {
  it('writes W + scale·B·A for every adapted module and copies everything else', async () => {
    const { root, base, adapterDir, adapter, baseTensors } = await setup(llama, [
      'q_proj',
      'v_proj',
      'down_proj',
    ]);
    const out = join(root, 'merged');
    const run = await captureCli(['merge', '--base', base, '--adapter', adapterDir, '--out', out, '--json']);
    expect(run.code).toBe(0);
    const report = run.json<{ out: string; merged_modules: number; max_abs_delta: number }>();
    expect(report.out).toBe(out);
    expect(report.merged_modules).toBe(6);
    const merged = (await readCheckpoint(out)).tensors;
    expect([...merged.keys()].sort()).toEqual([...baseTensors.keys()].sort());
    let maxDelta = 0;
    for (const module of adapter.modules) {
      const key = `${module.name}.weight`;
      const want = expectedMerge(baseTensors.get(key) as Tensor, module);
      expect(maxAbsDifference(toFloat32(merged.get(key) as Tensor), want)).toBeLessThanOrEqual(1e-6); // fp32 rounding of sums of 4 terms
      maxDelta = Math.max(maxDelta, maxAbsDifference(want, toFloat32(baseTensors.get(key) as Tensor)));
    }
    expect(report.max_abs_delta).toBeCloseTo(maxDelta, 6);
    // untouched tensors are bit-identical
    expect(Buffer.from((merged.get('model.layers.0.self_attn.k_proj.weight') as Tensor).data)).toEqual(
      Buffer.from((baseTensors.get('model.layers.0.self_attn.k_proj.weight') as Tensor).data),
    );
    expect(readFileSync(join(out, 'tokenizer.json'), 'utf8')).toBe('{"version":"1.0"}');
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe(
      readFileSync(join(base, 'config.json'), 'utf8'),
    );
  });

  it('transposes the delta for GPT-2 Conv1D weights (fan_in_fan_out)', async () => {
    const { root, base, adapterDir, adapter, baseTensors } = await setup(gpt2, ['c_attn', 'c_proj']);
    const out = join(root, 'merged');
    const run = await captureCli(['merge', '--base', base, '--adapter', adapterDir, '--out', out, '--json']);
    expect(run.code).toBe(0);
    expect(run.json()['merged_modules']).toBe(6);
    const merged = (await readCheckpoint(out)).tensors;
    const module = adapter.modules.find((candidate) => candidate.name === 'transformer.h.1.mlp.c_proj');
    expect(module).toMatchObject({ fanInFanOut: true, in: 96, out: 24 });
    const key = 'transformer.h.1.mlp.c_proj.weight';
    expect((merged.get(key) as Tensor).shape).toEqual([96, 24]);
    const want = expectedMerge(baseTensors.get(key) as Tensor, module as Adapter['modules'][number]);
    expect(maxAbsDifference(toFloat32(merged.get(key) as Tensor), want)).toBeLessThanOrEqual(1e-6);
  });

  it('stores the merged model in --dtype bf16 and says so in config.json', async () => {
    const { root, base, adapterDir } = await setup(llama, ['q_proj']);
    const out = join(root, 'merged-bf16');
    const run = await captureCli([
      'merge',
      '--base',
      base,
      '--adapter',
      adapterDir,
      '--out',
      out,
      '--dtype',
      'bf16',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const merged = (await readCheckpoint(out)).tensors;
    expect(new Set([...merged.values()].map((tensor) => tensor.dtype))).toEqual(new Set(['BF16']));
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))['torch_dtype']).toBe('bfloat16');
  });

  it('keeps a sharded base sharded', async () => {
    const { root, base, adapterDir } = await setup(llama, ['q_proj'], { maxShardBytes: 20_000 });
    expect(existsSync(join(base, 'model.safetensors.index.json'))).toBe(true);
    const out = join(root, 'merged');
    const run = await captureCli(['merge', '--base', base, '--adapter', adapterDir, '--out', out, '--json']);
    expect(run.code).toBe(0);
    expect(existsSync(join(out, 'model.safetensors.index.json'))).toBe(true);
    expect((await readCheckpoint(out)).tensors.size).toBe((await readCheckpoint(base)).tensors.size);
  });

  it('refuses an adapter made for another base, names the module and both shapes, and writes nothing', async () => {
    const { root, adapterDir } = await setup(llama, ['q_proj']);
    const otherBase = join(root, 'other');
    await writeRandomModel(otherBase, { ...llama, hidden_size: 64, extra: {} });
    const out = join(root, 'merged');
    const run = await captureCli([
      'merge',
      '--base',
      otherBase,
      '--adapter',
      adapterDir,
      '--out',
      out,
      '--json',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'module "model.layers.0.self_attn.q_proj" is linear 32→32 in the adapter but linear 64→64 in the base model',
    );
    expect(readdirSync(root).sort()).toEqual(['adapter', 'base', 'other']);
  });

  it('rejects an unknown --dtype', async () => {
    const run = await captureCli(['merge', '--base', 'b', '--adapter', 'a', '--out', 'o', '--dtype', 'f8']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('lorakit: --dtype must be one of f32, f16, bf16, got "f8"\n');
  });

  describe.skipIf(!fixturesDir)('PEFT fixture peft-tiny-llama', () => {
    it('matches the merged rows PyTorch computed (1e-5)', async () => {
      const fixture = join(fixturesDir as string, 'peft-tiny-llama');
      const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as {
        merged_row0_first8: Record<string, number[]>;
      };
      const out = join(mkdtempSync(join(tmpdir(), 'lorakit-merge-fixture-')), 'merged');
      const run = await captureCli([
        'merge',
        '--base',
        join(fixture, 'base'),
        '--adapter',
        join(fixture, 'adapter'),
        '--out',
        out,
        '--json',
      ]);
      expect(run.code).toBe(0);
      expect(run.json()['merged_modules']).toBe(4);
      const merged = (await readCheckpoint(out)).tensors;
      expect(Object.keys(expected.merged_row0_first8)).toHaveLength(4);
      for (const [module, row] of Object.entries(expected.merged_row0_first8)) {
        const values = toFloat32(merged.get(`${module}.weight`) as Tensor).subarray(0, 8);
        for (let i = 0; i < 8; i++)
          expect(Math.abs((values[i] as number) - (row[i] as number))).toBeLessThanOrEqual(1e-5);
      }
      for (const file of [
        'config.json',
        'tokenizer.json',
        'tokenizer_config.json',
        'generation_config.json',
      ]) {
        expect(readFileSync(join(out, file))).toEqual(readFileSync(join(fixture, 'base', file)));
      }
    });
  });
  if (!fixturesDir) console.warn(fixturesSkipReason());
});
