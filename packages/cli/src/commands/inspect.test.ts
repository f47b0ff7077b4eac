import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLoraConfig, listModelModules, parseModelConfig, resolveTargets } from '@lorakit/core';
import { writeAdapterFolder } from '@lorakit/core/node';
import { randomAdapter } from '@lorakit/core/test';
import { captureCli } from '../testing/capture-cli.js';
import { fixturesDir, fixturesSkipReason } from '../testing/fixtures.js';

const modelConfig = parseModelConfig({
  model_type: 'llama',
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 3,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 50,
});

async function writeTestAdapter(settings: Parameters<typeof createLoraConfig>[0]): Promise<string> {
  const config = createLoraConfig(settings);
  const modules = resolveTargets(listModelModules(modelConfig), config);
  const dir = join(mkdtempSync(join(tmpdir(), 'lorakit-inspect-')), 'adapter');
  await writeAdapterFolder(dir, randomAdapter(config, modules));
  return dir;
}

describe('lorakit inspect', () => {
  it('reports every module with its own rank, alpha and scale', async () => {
    const dir = await writeTestAdapter({
      r: 4,
      lora_alpha: 8,
      rank_pattern: { 'layers.2.self_attn.q_proj': 2 },
      target_modules: ['q_proj', 'v_proj'],
    });
    const run = await captureCli(['inspect', dir, '--json']);
    expect(run.code).toBe(0);
    const report = run.json<
      { modules: { name: string; r: number; scale: number; in: number; out: number }[] } & Record<
        string,
        unknown
      >
    >();
    expect(report).toMatchObject({
      peft_type: 'LORA',
      r: 4,
      lora_alpha: 8,
      target_modules: ['q_proj', 'v_proj'],
      lora_modules: 6,
      other_params: 0,
    });
    expect(report.modules.map((module) => module.name)).toEqual([
      'model.layers.0.self_attn.q_proj',
      'model.layers.0.self_attn.v_proj',
      'model.layers.1.self_attn.q_proj',
      'model.layers.1.self_attn.v_proj',
      'model.layers.2.self_attn.q_proj',
      'model.layers.2.self_attn.v_proj',
    ]);
    expect(report.modules[4]).toMatchObject({ r: 2, scale: 4, in: 32, out: 32 });
    expect(report.modules[5]).toMatchObject({ r: 4, scale: 2, in: 32, out: 16 });
    // q: r·(32+32), v: r·(32+16); layer 2's q at r=2
    expect(report['lora_params']).toBe(2 * 4 * 64 + 2 * 64 + 3 * 4 * 48);
    expect(report['bytes']).toBe(statSync(join(dir, 'adapter_model.safetensors')).size);
  });

  it('fails with one line naming the missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorakit-empty-'));
    const run = await captureCli(['inspect', dir, '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `lorakit: ${join(dir, 'adapter_config.json')}: not found; an adapter folder holds adapter_config.json and adapter_model.safetensors\n`,
    );
  });

  it('names the key and expected type of a wrong config value', async () => {
    const dir = await writeTestAdapter({ r: 4 });
    const configPath = join(dir, 'adapter_config.json');
    writeFileSync(configPath, readFileSync(configPath, 'utf8').replace('"r": 4', '"r": "4"'));
    const run = await captureCli(['inspect', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(configPath);
    expect(run.stderr).toContain('"r"');
  });

  it('names the module when the tensors disagree with the config rank', async () => {
    const dir = await writeTestAdapter({ r: 4 });
    const configPath = join(dir, 'adapter_config.json');
    writeFileSync(configPath, readFileSync(configPath, 'utf8').replace('"r": 4', '"r": 8'));
    const run = await captureCli(['inspect', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'module "model.layers.0.self_attn.k_proj" has rank 4 in its tensors but the config says r=8',
    );
  });

  it('rejects a truncated safetensors file with a typed one-line error', async () => {
    const dir = await writeTestAdapter({ r: 4 });
    const weights = join(dir, 'adapter_model.safetensors');
    writeFileSync(weights, readFileSync(weights).subarray(0, 200));
    const run = await captureCli(['inspect', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(weights);
  });

  describe.skipIf(!fixturesDir)('PEFT fixtures', () => {
    it('peft-tiny-llama: counts match expected.json and the file size', async () => {
      const expected = JSON.parse(
        readFileSync(join(fixturesDir as string, 'peft-tiny-llama/expected.json'), 'utf8'),
      ) as Record<string, number>;
      const run = await captureCli([
        'inspect',
        join(fixturesDir as string, 'peft-tiny-llama/adapter'),
        '--json',
      ]);
      expect(run.code).toBe(0);
      expect(run.json()).toMatchObject({
        r: 8,
        lora_alpha: 16,
        target_modules: ['q_proj', 'v_proj'],
        lora_modules: expected['lora_modules'],
        lora_params: expected['lora_params'],
        other_params: 0,
        bytes: 17416,
      });
      expect(run.json<{ modules: unknown[] }>().modules[0]).toEqual({
        name: 'model.layers.0.self_attn.q_proj',
        kind: 'linear',
        r: 8,
        alpha: 16,
        scale: 2,
        in: 64,
        out: 64,
        dtype: 'F32',
      });
    });

    it('real GPT-2 adapter: 36 fan_in_fan_out modules, c_proj matched in attn and mlp', async () => {
      const run = await captureCli(['inspect', join(fixturesDir as string, 'real-gpt2-lora'), '--json']);
      const report = run.json<
        { modules: { name: string; in: number; out: number; scale: number }[] } & Record<string, unknown>
      >();
      expect(report).toMatchObject({
        r: 8,
        lora_alpha: 32,
        fan_in_fan_out: true,
        lora_modules: 36,
        target_modules: ['c_attn', 'c_proj'],
      });
      const names = report.modules.map((module) => module.name);
      expect(names.filter((name) => name.endsWith('attn.c_proj'))).toHaveLength(12);
      expect(names.filter((name) => name.endsWith('mlp.c_proj'))).toHaveLength(12);
      expect(names.filter((name) => name.endsWith('attn.c_attn'))).toHaveLength(12);
      expect(report.modules.find((module) => module.name === 'transformer.h.0.attn.c_attn')).toMatchObject({
        in: 768,
        out: 2304,
        scale: 4,
      });
      expect(report.modules.find((module) => module.name === 'transformer.h.0.mlp.c_proj')).toMatchObject({
        in: 3072,
        out: 768,
      });
      // 12 layers × 8·[(768+2304) + (768+768) + (3072+768)]
      expect(report['lora_params']).toBe(12 * 8 * (3072 + 1536 + 3840));
    });
  });
  if (!fixturesDir) console.warn(fixturesSkipReason());
});
