import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from '@lorakit/trainer/test';
import { captureCli } from '../testing/capture-cli.js';

let root: string;
let modelDir: string;

// A tiny random Llama with a byte-level tokenizer (one token per byte) and a chat template.
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lorakit-cli-train-'));
  modelDir = join(root, 'model');
  await writeTinyModel(modelDir, { maxPositions: 64 });
});

describe('lorakit train', () => {
  it('trains an adapter and prints the CLI.md report', async () => {
    const data = join(root, 'train.jsonl');
    writeFileSync(
      data,
      ['red', 'blue', 'green', 'gold']
        .map((color, index) => JSON.stringify({ prompt: `color ${index}: `, completion: color }))
        .join('\n'),
    );
    const out = join(root, 'adapter');
    const run = await captureCli([
      'train',
      '--model',
      modelDir,
      '--data',
      data,
      '--out',
      out,
      '--rank',
      '4',
      '--steps',
      '5',
      '--batch',
      '2',
      '--lr',
      '1e-2',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = run.json<Record<string, number | string | null>>();
    expect(Object.keys(report).sort()).toEqual([
      'out',
      'seconds',
      'steps',
      'tokens_per_s',
      'train_loss',
      'val_loss',
    ]);
    expect(report).toMatchObject({ out, steps: 5 });
    // 4 records, 10% held out with the seed → 1 validation record, evaluated at the end
    expect(typeof report['val_loss']).toBe('number');
    expect(report['train_loss'] as number).toBeGreaterThan(0);
    expect(readdirSync(out).sort()).toEqual([
      'adapter_config.json',
      'adapter_model.safetensors',
      'metrics.jsonl',
    ]);
  });

  it('names file and line of a bad record in one line, exit 1, no output folder', async () => {
    const data = join(root, 'bad.jsonl');
    writeFileSync(
      data,
      `${JSON.stringify({ prompt: 'a', completion: 'b' })}\n${JSON.stringify({ prompt: 'c' })}\n`,
    );
    const out = join(root, 'never');
    const run = await captureCli([
      'train',
      '--model',
      modelDir,
      '--data',
      data,
      '--out',
      out,
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `lorakit: ${data}:2: missing field "completion" (completion format); each line must be {"prompt": …, "completion": …}\n`,
    );
    expect(readdirSync(root)).not.toContain('never');
  });

  it('refuses --epochs with --steps and an unknown method', async () => {
    const base = ['train', '--model', modelDir, '--data', 'x.jsonl', '--out', join(root, 'o')];
    expect((await captureCli([...base, '--epochs', '1', '--steps', '2'])).stderr).toBe(
      'lorakit: --epochs and --steps are exclusive; give one of them\n',
    );
    expect((await captureCli([...base, '--method', 'qlora'])).stderr).toBe(
      'lorakit: --method must be lora or full, got "qlora"\n',
    );
  });
});
