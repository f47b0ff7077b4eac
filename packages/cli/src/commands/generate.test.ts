import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from '../testing/capture-cli.js';
import type { CliRun } from '../testing/capture-cli.js';
import { fixturesDir, fixturesSkipReason } from '../testing/fixtures.js';

/** Runs `lorakit generate …` through the real CLI. */
function runGenerate(argv: readonly string[]): Promise<CliRun> {
  return captureCli(['generate', ...argv]);
}

if (!fixturesDir) console.warn(fixturesSkipReason());
const base = fixturesDir ? join(fixturesDir, 'peft-tiny-llama', 'base') : '';
const adapter = fixturesDir ? join(fixturesDir, 'peft-tiny-llama', 'adapter') : '';

describe.skipIf(!fixturesDir)('lorakit generate on the tiny-llama fixture', () => {
  it('prints text, tokens and finish_reason; greedy tokens equal transformers generate(do_sample=False)', async () => {
    const run = await runGenerate([
      '--model',
      base,
      '--prompt',
      'Hello',
      '--max-tokens',
      '8',
      '--temperature',
      '0',
      '--json',
    ]);
    expect(run.code).toBe(0);
    // transformers 5.24 greedy continuation of "Hello" on the fixture base (first 8 of 24 checked in models)
    expect(run.json()).toEqual({
      text: expect.any(String),
      tokens: [191, 51, 191, 51, 238, 51, 238, 191],
      finish_reason: 'length',
    });
  });

  it('applies an adapter folder and chat messages', async () => {
    const withAdapter = await runGenerate([
      '--model',
      base,
      '--adapter',
      adapter,
      '--prompt',
      'Hello',
      '--max-tokens',
      '4',
      '--json',
    ]);
    expect(withAdapter.json()['tokens']).toEqual([151, 51, 62, 106]); // PeftModel greedy
    const chat = await runGenerate([
      '--model',
      base,
      '--messages',
      '[{"role":"user","content":"Hi there"}]',
      '--max-tokens',
      '6',
      '--json',
    ]);
    expect(chat.json()['tokens']).toEqual([194, 194, 194, 194, 215, 117]);
  });

  it('ends with finish_reason "stop" at a stop string, which the text leaves out', async () => {
    const run = await runGenerate([
      '--model',
      base,
      '--prompt',
      'The quick brown fox',
      '--max-tokens',
      '20',
      '--stop',
      's',
      '--json',
    ]);
    expect(run.json()).toEqual({ text: '\uFFFD\uFFFD', tokens: [233, 250, 115], finish_reason: 'stop' });
  });

  it('streams plain text without --json', async () => {
    const run = await runGenerate([
      '--model',
      base,
      '--prompt',
      'The quick brown fox',
      '--max-tokens',
      '3',
      '--stop',
      's',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('\uFFFD\uFFFD\n');
  });
});

describe('lorakit generate bad input', () => {
  it('names tokenizer.json and the fix when the model folder has none', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'lorakit-generate-'));
    writeFileSync(join(directory, 'config.json'), '{}');
    const run = await runGenerate(['--model', directory, '--prompt', 'hi', '--max-tokens', '2', '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^lorakit: .*tokenizer\.json not found.*save_pretrained.*\n$/);
  });

  it('says when --messages is not valid JSON or not a list of messages', async () => {
    const notJson = await runGenerate(['--model', '.', '--messages', '[{role: user}]', '--max-tokens', '2']);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/--messages is not valid JSON .*give an array such as/);
    const wrongShape = await runGenerate([
      '--model',
      '.',
      '--messages',
      '{"role":"user"}',
      '--max-tokens',
      '2',
    ]);
    expect(wrongShape.stderr).toMatch(/--messages must be a non-empty array/);
  });

  it('rejects an empty prompt, both or neither of --prompt and --messages, and bad numbers', async () => {
    expect((await runGenerate(['--model', '.', '--prompt', '', '--max-tokens', '2'])).stderr).toMatch(
      /--prompt is empty/,
    );
    expect((await runGenerate(['--model', '.', '--max-tokens', '2'])).stderr).toMatch(
      /exactly one of --prompt/,
    );
    expect((await runGenerate(['--model', '.', '--prompt', 'a', '--max-tokens', '0'])).stderr).toMatch(
      /--max-tokens must be a positive integer/,
    );
    expect(
      (await runGenerate(['--model', '.', '--prompt', 'a', '--max-tokens', '2', '--temperature', '-1']))
        .stderr,
    ).toMatch(/--temperature must be a number ≥ 0/);
  });
});
