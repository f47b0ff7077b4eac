import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { isLorakitError } from '@lorakit/core';
import { fixturesDir, fixturesSkipReason } from '../testing/fixtures.js';
import { registerEval } from './eval.js';

/** The program of program.ts with only `eval` registered, and run-cli's exit codes (until eval is wired in). */
async function runEval(
  argv: readonly string[],
  positional = false,
): Promise<{ code: number; stdout: string; stderr: string; json: () => Record<string, unknown> }> {
  let stdout = '';
  let stderr = '';
  const streams = { stdout: (text: string) => (stdout += text), stderr: (text: string) => (stderr += text) };
  const program = new Command('lorakit')
    .exitOverride()
    .configureOutput({ writeOut: streams.stdout, writeErr: streams.stderr });
  if (positional) program.enablePositionalOptions();
  registerEval(program, streams);
  for (const command of program.commands) command.exitOverride();
  let code = 0;
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode === 0 ? 0 : 2;
    else if (isLorakitError(error)) {
      stderr += `lorakit: ${error.message}\n`;
      code = 1;
    } else throw error;
  }
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> };
}

const dir = mkdtempSync(join(tmpdir(), 'lorakit-eval-cli-'));
function recordsFile(
  name: string,
  scores: readonly number[],
  ids = scores.map((_, index) => `q${index}`),
): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    ids
      .map((id, index) =>
        JSON.stringify({
          id,
          prompt_hash: `h-${id}`,
          output: '',
          reference: '',
          score: scores[index],
          metric: 'exact_match',
        }),
      )
      .join('\n'),
  );
  return path;
}

describe('lorakit eval compare', () => {
  it('pairs two records files and prints the contract fields (McNemar for exact_match)', async () => {
    // b = 10 items only A got right, c = 2 only B got right
    const a = recordsFile('a.jsonl', [...Array(10).fill(1), 0, 0, 1, 0]);
    const b = recordsFile('b.jsonl', [...Array(10).fill(0), 1, 1, 1, 0]);
    const run = await runEval(['eval', 'compare', a, b, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = run.json();
    expect(report).toMatchObject({ n: 14, test: 'mcnemar' });
    expect(report['p_value']).toBeCloseTo(158 / 4096, 10);
    expect(report['difference']).toBeCloseTo(-8 / 14, 12);
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(['n', 'a', 'b', 'difference', 'ci95', 'p_value', 'test']),
    );
  });

  it('refuses records over different items with one line and exit 1', async () => {
    const a = recordsFile('c.jsonl', [1, 0, 1]);
    const b = recordsFile('d.jsonl', [1, 0, 1], ['q0', 'q1', 'zz']);
    const run = await runEval(['eval', 'compare', a, b, '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/cover different items: 2 of 4 differ/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('options reach the subcommands whether or not the root parses options positionally', () => {
  it.each([false, true])('positional root: %s', async (positional) => {
    const a = recordsFile('p.jsonl', [1, 0, 1, 1]);
    const compare = await runEval(['eval', 'compare', a, a, '--seed', '3', '--json'], positional);
    expect(compare.json()).toMatchObject({ n: 4, difference: 0, p_value: 1, test: 'mcnemar' });
    const badSeed = await runEval(['eval', 'compare', a, a, '--seed', 'x'], positional);
    expect(badSeed.stderr).toMatch(/--seed must be a non-negative integer, got "x"/);
    const check = await runEval(['eval', 'merged-check', '--model', 'm', '--json'], positional);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/eval needs --adapter; usage: lorakit eval merged-check/);
    const main = await runEval(['eval', '--model', 'm', '--metric', 'rouge_l', '--json'], positional);
    expect(main.stderr).toMatch(/eval needs --data/);
  });
});

describe('lorakit eval (default action)', () => {
  it('names a missing option and an unknown metric', async () => {
    expect((await runEval(['eval', '--data', 'x.jsonl', '--metric', 'exact_match'])).stderr).toMatch(
      /eval needs --model/,
    );
    const unknown = await runEval([
      'eval',
      '--model',
      'm',
      '--data',
      'x.jsonl',
      '--metric',
      'bleu',
      '--json',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown metric "bleu"; metrics: exact_match/);
  });

  it('names FILE:LINE of a test item with missing fields', async () => {
    const data = join(dir, 'bad.jsonl');
    writeFileSync(data, '{"prompt": "a", "completion": "b"}\n{"prompt": "c"}\n');
    const run = await runEval(['eval', '--model', 'm', '--data', data, '--metric', 'exact_match', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${data}:2: missing "completion"`);
  });
});

describe.skipIf(!fixturesDir)('lorakit eval on the fixture model', () => {
  if (!fixturesDir) console.warn(fixturesSkipReason());
  const folder = join(fixturesDir ?? '', 'peft-tiny-llama');

  it('scores base + adapter, writes records, and merged-check passes', async () => {
    const data = join(dir, 'test.jsonl');
    writeFileSync(
      data,
      [
        {
          id: 'a',
          messages: [
            { role: 'user', content: 'Say hi' },
            { role: 'assistant', content: 'hi' },
          ],
        },
        { id: 'b', prompt: 'The sky is', completion: ' blue' },
        { id: 'c', prompt: '1 2 3', completion: ' 4' },
      ]
        .map((record) => JSON.stringify(record))
        .join('\n'),
    );
    const records = join(dir, 'run.jsonl');
    const run = await runEval([
      'eval',
      '--model',
      join(folder, 'base'),
      '--adapter',
      join(folder, 'adapter'),
      '--data',
      data,
      '--metric',
      'rouge_l',
      '--records',
      records,
      '--limit',
      '2',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ metric: 'rouge_l', n: 2, records });
    const lines = readFileSync(records, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line['id'])).toEqual(['a', 'b']);
    expect(Object.keys(lines[0] ?? {})).toEqual(
      expect.arrayContaining(['id', 'prompt_hash', 'output', 'reference', 'score']),
    );

    const check = await runEval([
      'eval',
      'merged-check',
      '--model',
      join(folder, 'base'),
      '--adapter',
      join(folder, 'adapter'),
      '--samples',
      '3',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(check.code).toBe(0);
    expect(check.json()).toMatchObject({ atol: 1e-4, rtol: 1e-4, pass: true, samples: 3 });
    expect(check.json()['max_abs_diff']).toBeLessThan(1e-4);
  });
});

describe('lorakit eval checklist', () => {
  it('names a missing option and a malformed --other', async () => {
    const missing = await runEval(['eval', 'checklist', '--model', 'm', '--adapter', 'a', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/eval needs --data; usage: lorakit eval checklist/);
    const other = await runEval([
      ...['eval', 'checklist', '--model', 'm', '--adapter', 'a', '--data', 'd', '--metric', 'exact_match'],
      ...['--threshold', '0.9', '--out', join(dir, 'never'), '--other', 'broken'],
    ]);
    expect(other.stderr).toMatch(/--other must be NAME=TEST.jsonl:METRIC, got "broken"/);
    const threshold = await runEval([
      ...['eval', 'checklist', '--model', 'm', '--adapter', 'a', '--data', 'd', '--metric', 'exact_match'],
      ...['--threshold', 'high', '--out', join(dir, 'never')],
    ]);
    expect(threshold.stderr).toMatch(/--threshold must be a number, got "high"/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});

describe.skipIf(!fixturesDir)('lorakit eval checklist on the fixture model', () => {
  if (!fixturesDir) console.warn(fixturesSkipReason());
  const folder = join(fixturesDir ?? '', 'peft-tiny-llama');

  it('writes report.md and a self-contained report.html, and prints the statuses', async () => {
    const lines = (records: readonly object[]): string => records.map((r) => JSON.stringify(r)).join('\n');
    const test = join(dir, 'checklist-test.jsonl');
    writeFileSync(
      test,
      lines([
        { id: 't1', prompt: 'The sky is', completion: ' blue' },
        { id: 't2', prompt: '1 2 3', completion: ' 4' },
      ]),
    );
    const val = join(dir, 'checklist-val.jsonl');
    writeFileSync(val, lines([{ id: 'v1', prompt: 'a b c', completion: ' d' }]));
    const other = join(dir, 'checklist-other.jsonl');
    writeFileSync(other, lines([{ id: 'o1', prompt: 'one two', completion: ' three' }]));
    const metrics = join(dir, 'metrics.jsonl');
    writeFileSync(
      metrics,
      lines([
        { step: 1, loss: 2, validation_loss: 2.2 },
        { step: 2, loss: 1.5, validation_loss: null },
      ]),
    );
    const out = join(dir, 'checklist-out');
    const run = await runEval([
      ...['eval', 'checklist', '--model', join(folder, 'base'), '--adapter', join(folder, 'adapter')],
      ...['--data', test, '--val', val, '--metric', 'rouge_l', '--threshold', '0.9'],
      ...['--other', `words=${other}:exact_match`, '--metrics', metrics, '--limit', '2'],
      ...['--backend', 'cpu', '--out', out, '--json'],
    ]);
    expect(run.code).toBe(0);
    const report = run.json();
    expect(report['report']).toBe(join(out, 'report.html'));
    const statuses = Object.fromEntries(
      (report['checklist'] as { id: string; status: string }[]).map((item) => [item.id, item.status]),
    );
    // no split sizes on the command line, so that item has no evidence; no full run and rouge_l of the
    // untrained fixture is short of 0.9, so "compared with full" fails by the report's rule
    expect(statuses).toMatchObject({
      'threshold-stated': 'pass',
      splits: 'not-run',
      'baseline-measured': 'pass',
      'adapter-evaluated': 'pass',
      'merged-matches-adapter': 'pass',
      'adapter-loading': 'pass',
    });
    expect(['pass', 'fail']).toContain(statuses['compared-with-full']);
    expect(['pass', 'fail']).toContain(statuses['no-regression']);
    expect(report['pass']).toBe(false); // "not run" is never a pass
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<(script|img|link|iframe)\b[^>]*\b(src|href)=/i);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Merged model matches adapter model/);
  });
});
