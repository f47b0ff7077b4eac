import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from '../testing/capture-cli.js';

describe('lorakit params', () => {
  it('counts Llama-2-70B exactly: r=16 on q,k,v,o', async () => {
    const run = await captureCli(['params', '--model', 'llama-2-70b', '--rank', '16', '--json']);
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      model: 'llama-2-70b',
      total_params: 68_976_648_192,
      lora_params: 65_536_000,
      lora_percent: 0.095,
      modules: 320,
      adapter_bytes: { f32: 262_144_000, bf16: 131_072_000 },
    });
  });

  it('expands all-linear per architecture (lm_head excluded): r=8 on Llama-2-70B', async () => {
    const run = await captureCli([
      'params',
      '--model',
      'llama-2-70b',
      '--rank',
      '8',
      '--targets',
      'all-linear',
      '--json',
    ]);
    // per layer 8·[(8192+8192)·2 + (8192+1024)·2 + (8192+28672)·3] = 1,294,336; × 80 layers
    expect(run.json()).toMatchObject({ lora_params: 103_546_880, modules: 560 });
  });

  it('reads a config.json file and a model folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorakit-params-'));
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
    const fromFile = await captureCli([
      'params',
      '--model',
      join(dir, 'config.json'),
      '--rank',
      '4',
      '--targets',
      'minimum',
      '--json',
    ]);
    const fromFolder = await captureCli([
      'params',
      '--model',
      dir,
      '--rank',
      '4',
      '--targets',
      'q_proj,v_proj',
      '--json',
    ]);
    // q: 4·(64+64), v: 4·(64+32) per layer, 2 layers
    expect(fromFile.json()).toMatchObject({ lora_params: 2 * (4 * 128 + 4 * 96), modules: 4 });
    expect(fromFolder.json()).toEqual(fromFile.json());
    // embeddings 2·258·64 (untied head), per layer q 64·64 + k,v 64·32 + o 64·64 + mlp 3·64·172 + 2 norms, final norm
    expect(fromFile.json()['total_params']).toBe(
      2 * 258 * 64 + 2 * (2 * 4096 + 2 * 2048 + 3 * 64 * 172 + 128) + 64,
    );
  });

  it('names the nearest catalog models for an unknown name', async () => {
    const run = await captureCli(['params', '--model', 'llama2-70b', '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('unknown catalog model "llama2-70b"; nearest: llama-2-70b');
  });

  it('rejects a target that matches nothing, naming the nearest module', async () => {
    const run = await captureCli(['params', '--model', 'llama-3-8b', '--targets', 'q_prj', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/target module "q_prj" matches nothing; nearest: q_proj/);
  });

  it('rejects rank 0 and a missing config file', async () => {
    const zero = await captureCli(['params', '--model', 'llama-3-8b', '--rank', '0']);
    expect(zero.code).toBe(1);
    expect(zero.stderr).toBe('lorakit: --rank must be a positive integer, got "0"\n');
    const missing = await captureCli(['params', '--model', './no/such/config.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('./no/such/config.json: no such file or folder');
  });
});
