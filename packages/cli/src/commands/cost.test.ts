import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from '../testing/capture-cli.js';

const GIB = 2 ** 30;

describe('lorakit cost', () => {
  it('prints the CLI.md fields for LoRA r=16 on q,k,v,o of Llama-2-70B', async () => {
    const run = await captureCli([
      'cost',
      '--model',
      'llama-2-70b',
      '--method',
      'lora',
      '--rank',
      '16',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const report = run.json<Record<string, unknown> & { memory_bytes: Record<string, number> }>();
    for (const key of [
      'total_params',
      'trainable_params',
      'memory_bytes',
      'train_flops',
      'hours',
      'usd',
      'adapter_bytes',
      'checkpoint_bytes',
    ]) {
      expect(report, key).toHaveProperty(key);
    }
    expect(Object.keys(report.memory_bytes)).toEqual([
      'weights',
      'gradients',
      'optimizer',
      'activations',
      'overhead',
      'total',
    ]);
    expect(report).toMatchObject({
      total_params: 68_976_648_192,
      trainable_params: 65_536_000,
      trainable_percent: 0.095,
      adapter_bytes: 131_072_000, // 65,536,000 · 2 (bf16)
      checkpoint_bytes: 137_953_296_384, // 68,976,648,192 · 2
      fits: false, // 128 GiB of bf16 weights on one 80 GiB A100
    });
    // weights: 68,976,648,192 · 2 + 65,536,000 · 4 (fp32 adapter); gradients 65,536,000 · 4; AdamW 65,536,000 · 8
    expect(report.memory_bytes).toMatchObject({
      weights: 138_215_440_384,
      gradients: 262_144_000,
      optimizer: 524_288_000,
      overhead: GIB,
    });
    const m = report.memory_bytes;
    expect(m['weights']! + m['gradients']! + m['optimizer']! + m['activations']! + m['overhead']!).toBe(
      m['total'],
    );
  });

  it('shards over GPUs, prices the run, and reads a config.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorakit-cost-'));
    const config = {
      model_type: 'llama',
      hidden_size: 64,
      intermediate_size: 172,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      vocab_size: 258,
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const args = [
      'cost',
      '--model',
      dir,
      '--method',
      'full',
      '--gpu',
      'h100-80gb',
      '--tokens',
      '1e9',
      '--json',
    ];
    const one = (await captureCli(args)).json<{
      memory_bytes: Record<string, number>;
      hours: number;
      usd: number;
      total_params: number;
    }>();
    const four = (await captureCli([...args, '--gpus', '4', '--sharding', 'zero-2'])).json<typeof one>();
    // total 2·258·64 + 2·(2·4096 + 2·2048 + 3·64·172 + 128) + 64 = 33,024 + 90,880 + 64 = 123,968
    expect(one.total_params).toBe(123_968);
    expect(one.memory_bytes['optimizer']).toBe(123_968 * 12); // fp32 master + two moments
    expect(four.memory_bytes['optimizer']).toBe(123_968 * 3); // ZeRO-2: ÷ 4
    expect(four.memory_bytes['gradients']).toBe(123_968 / 2); // 123,968 · 2 bytes ÷ 4
    expect(four.memory_bytes['weights']).toBe(123_968 * 2);
    // four GPUs finish in a quarter of the time for the same price
    expect(four.hours).toBeCloseTo(one.hours / 4, 12);
    expect(four.usd).toBeCloseTo(one.usd, 12);
    expect(one.usd).toBeCloseTo(one.hours * 2.99, 12);
  });

  it('rejects unknown models and GPUs with the nearest names, in one line', async () => {
    const model = await captureCli(['cost', '--model', 'llama2-70b', '--method', 'lora', '--json']);
    expect(model.code).toBe(1);
    expect(model.stdout).toBe('');
    expect(model.stderr).toMatch(/^lorakit: unknown catalog model "llama2-70b"; nearest: llama-2-70b.*\n$/);
    const gpu = await captureCli([
      'cost',
      '--model',
      'llama-3-8b',
      '--method',
      'lora',
      '--gpu',
      'a100-80',
      '--json',
    ]);
    expect(gpu.code).toBe(1);
    expect(gpu.stderr.trim().split('\n')).toHaveLength(1);
    expect(gpu.stderr).toMatch(/^lorakit: unknown GPU "a100-80"; nearest: a100-80gb/);
  });

  it('rejects rank 0, negative tokens, a bad method, pipeline over too many GPUs and unsupported architectures', async () => {
    const base = ['cost', '--model', 'llama-3-8b', '--json'];
    const rank = await captureCli([...base, '--method', 'lora', '--rank', '0']);
    expect([rank.code, rank.stderr]).toEqual([1, 'lorakit: --rank must be a positive integer, got "0"\n']);
    const tokens = await captureCli([...base, '--method', 'lora', '--tokens=-5']);
    expect([tokens.code, tokens.stderr]).toEqual([
      1,
      'lorakit: --tokens must be a non-negative number such as 1e6, got "-5"\n',
    ]);
    const method = await captureCli([...base, '--method', 'dora']);
    expect(method.stderr).toBe('lorakit: --method must be one of full, lora, qlora, got "dora"\n');
    const pipeline = await captureCli([
      ...base,
      '--method',
      'full',
      '--gpus',
      '64',
      '--sharding',
      'pipeline',
    ]);
    expect(pipeline.code).toBe(1);
    expect(pipeline.stderr).toMatch(
      /^lorakit: pipeline over 64 GPUs but the model has 32 layers; use at most 32 GPUs/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'lorakit-cost-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 't5', d_model: 512 }));
    const t5 = await captureCli(['cost', '--model', dir, '--method', 'lora', '--json']);
    expect(t5.code).toBe(1);
    expect(t5.stderr).toMatch(/model_type "t5" is not supported; supported: /);
  });

  it('prints a readable summary without --json', async () => {
    const run = await captureCli([
      'cost',
      '--model',
      'llama-3-8b',
      '--method',
      'qlora',
      '--gpu',
      'l4',
      '--checkpointing',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^model {8}llama-3-8b \(qlora\) on 1× l4\n/);
    expect(run.stdout).toContain('memory/GPU ');
  });
});
