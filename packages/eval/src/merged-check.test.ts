import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFloat32, toFloat32 } from '@lorakit/core';
import { readCheckpoint, writeCheckpoint } from '@lorakit/core/node';
import { describe, expect, it } from 'vitest';
import { mergedCheck } from './merged-check.js';
import { fixturesDir, fixturesSkipReason } from './testing/fixtures.js';

if (!fixturesDir) console.warn(fixturesSkipReason());
const folder = fixturesDir ? join(fixturesDir, 'peft-tiny-llama') : '';

describe.skipIf(!fixturesDir)('mergedCheck on the fixture adapter', () => {
  it('passes at atol = rtol = 1e-4 in f32', async () => {
    const result = await mergedCheck({
      model: join(folder, 'base'),
      adapter: join(folder, 'adapter'),
      samples: 4,
      backend: 'cpu',
    });
    expect(result).toMatchObject({
      atol: 1e-4,
      rtol: 1e-4,
      pass: true,
      samples: 4,
      dtype: 'F32',
      merged_modules: 4,
    });
    expect(result.max_abs_diff).toBeLessThan(1e-4);
    console.log(`merged-check fixture adapter: max |Δlogit| = ${result.max_abs_diff.toExponential(2)}`);
  });

  it('fails when the bar is below what the merge reaches', async () => {
    const result = await mergedCheck({
      model: join(folder, 'base'),
      adapter: join(folder, 'adapter'),
      inputs: [[1, 2, 3, 4, 5, 6, 7, 8]],
      atol: 0,
      rtol: 0,
      backend: 'cpu',
    });
    // an exact-equality bar: passes only if the merge is bit-identical (summation order usually differs)
    expect(result.pass).toBe(result.max_abs_diff === 0);
  });

  it.each(['F16', 'BF16'] as const)('a %s base passes at its documented bound', async (dtype) => {
    const dir = await mkdtemp(join(tmpdir(), `lorakit-merged-${dtype}-`));
    const checkpoint = await readCheckpoint(join(folder, 'base'));
    const converted = new Map(
      [...checkpoint.tensors].map(([name, tensor]) => [
        name,
        fromFloat32(toFloat32(tensor), tensor.shape, dtype),
      ]),
    );
    await writeCheckpoint(dir, converted);
    await copyFile(join(folder, 'base', 'config.json'), join(dir, 'config.json'));
    const result = await mergedCheck({ model: dir, adapter: join(folder, 'adapter'), backend: 'cpu' });
    console.log(
      `merged-check ${dtype} base: max |Δlogit| = ${result.max_abs_diff.toExponential(2)} (atol = rtol = ${result.atol})`,
    );
    expect(result).toMatchObject({ dtype, pass: true });
  });
});
