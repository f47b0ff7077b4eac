import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseModelConfig } from '@lorakit/core';
import { writeRandomModel } from '@lorakit/core/test';
import { captureCli } from '../testing/capture-cli.js';

let root: string;
let modelDir: string;

// A tiny random Llama with a byte-level tokenizer (one token per byte) and a chat template.
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lorakit-cli-train-'));
  modelDir = join(root, 'model');
  await writeRandomModel(
    modelDir,
    parseModelConfig({
      model_type: 'llama',
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      vocab_size: 258,
      max_position_embeddings: 64,
    }),
  );
  const printable = (byte: number): boolean =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  let next = 256;
  const vocab = Object.fromEntries(
    Array.from({ length: 256 }, (_, byte) => [String.fromCodePoint(printable(byte) ? byte : next++), byte]),
  );
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const special = (id: number, content: string): object => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  writeFileSync(
    join(modelDir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      added_tokens: [special(256, '<|endoftext|>'), special(257, '<|pad|>')],
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: byteLevel,
      decoder: byteLevel,
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        fuse_unk: false,
        byte_fallback: false,
        vocab,
        merges: [],
      },
    }),
  );
  writeFileSync(
    join(modelDir, 'tokenizer_config.json'),
    JSON.stringify({
      eos_token: '<|endoftext|>',
      pad_token: '<|pad|>',
      chat_template:
        "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|endoftext|>\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}",
    }),
  );
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
