import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from '../testing/capture-cli.js';

const FIXTURE = resolve(import.meta.dirname, '../../../../../shared/fixtures/peft-tiny-llama');
const present = existsSync(join(FIXTURE, 'expected.json'));
if (!present) console.log(`skipping lorakit logits fixture tests: ${FIXTURE} is absent`);

/** Runs `lorakit … ` through the real CLI. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await captureCli(argv);
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}

function maxAbsDifference(a: readonly number[], b: readonly number[]): number {
  return a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - (b[i] ?? Number.NaN))), 0);
}

describe.skipIf(!present)('lorakit logits', () => {
  const expected = present
    ? (JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Record<string, number[]>)
    : {};
  const ids = (expected['ids'] ?? []).join(',');

  it.each([
    ['base', [], 'base_logits'],
    ['adapter', ['--adapter', join(FIXTURE, 'adapter')], 'adapter_logits'],
    ['adapter2', ['--adapter', join(FIXTURE, 'adapter2')], 'adapter2_logits'],
  ] as const)('%s: matches PyTorch within 1e-4 (max abs)', async (_, adapterArguments, key) => {
    const result = await run([
      'logits',
      '--model',
      join(FIXTURE, 'base'),
      ...adapterArguments,
      '--ids',
      ids,
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { vocab: number; logits: number[] };
    expect(report.vocab).toBe(258);
    expect(maxAbsDifference(report.logits, expected[key] ?? [])).toBeLessThanOrEqual(1e-4);
  });

  it('two --adapter flags add both deltas', async () => {
    const base = [
      'logits',
      '--model',
      join(FIXTURE, 'base'),
      '--ids',
      ids,
      '--backend',
      'reference',
      '--json',
    ];
    const both = await run([
      ...base,
      '--adapter',
      join(FIXTURE, 'adapter'),
      '--adapter',
      join(FIXTURE, 'adapter2'),
    ]);
    const logits = (JSON.parse(both.stdout) as { logits: number[] }).logits;
    // The fixture adapters touch q/v only, so the sum is not a plain sum of logit shifts; it differs from each alone.
    expect(maxAbsDifference(logits, expected['adapter_logits'] ?? [])).toBeGreaterThan(1e-3);
    expect(maxAbsDifference(logits, expected['adapter2_logits'] ?? [])).toBeGreaterThan(1e-3);
  });

  it('bad ids and a bad backend are one-line errors', async () => {
    const model = join(FIXTURE, 'base');
    expect((await run(['logits', '--model', model, '--ids', '1,x'])).stderr).toMatch(
      /--ids must be comma-separated token ids such as 1,2,3; "x" is not one/,
    );
    expect((await run(['logits', '--model', model, '--ids', '1,999'])).stderr).toMatch(
      /token 999 is outside the vocabulary .* \(size 258\)/,
    );
    expect((await run(['logits', '--model', model, '--ids', '1', '--backend', 'gpu'])).stderr).toMatch(
      /--backend must be one of auto, cpu, reference, cuda/,
    );
  });
});
