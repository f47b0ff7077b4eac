/**
 * PyTorch parity on ../shared/fixtures/peft-tiny-llama: last-position logits of expected.json's ids for the base
 * model and each adapter (atol 1e-4, f32), and a batch mixing adapters per row. On cpu, reference and the cuda
 * backend's kernels in their CPU emulation build (where g++ built it), which runs the cuda code paths (views
 * included) without a GPU.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readAdapterFolder } from '@lorakit/core/node';
import { createCudaBackend } from '@lorakit/kernels-cuda';
import type { Backend, BackendName } from '@lorakit/kernels-cuda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from './load-model.js';
import type { Model } from './model.js';
import { sumAdapters } from './sum-adapters.js';

const FIXTURE = resolve(import.meta.dirname, '../../../../shared/fixtures/peft-tiny-llama');
const present = existsSync(join(FIXTURE, 'expected.json'));
if (!present) console.log(`skipping fixture parity: ${FIXTURE} is absent`);

interface Expected {
  ids: number[];
  base_logits: number[];
  adapter_logits: number[];
  adapter2_logits: number[];
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

const ATOL = 1e-4;

/** The emulated cuda backend, or why it is absent (the model does not dispose a backend it was handed). */
function emulatedCuda(): Backend | string {
  try {
    return createCudaBackend({ variant: 'emulated' });
  } catch (error) {
    return (error as Error).message;
  }
}
const emulated = emulatedCuda();
if (typeof emulated === 'string') console.log(`skipping fixture parity on cuda (emulated): ${emulated}`);
afterAll(() => (typeof emulated === 'string' ? undefined : emulated.dispose()));
const targets: [string, Backend | BackendName][] = [
  ['cpu', 'cpu'],
  ['reference', 'reference'],
  ...(typeof emulated === 'string' ? [] : [['cuda (emulated)', emulated] as [string, Backend]]),
];

describe.skipIf(!present).each(targets)('peft-tiny-llama on %s', (backendName, backend) => {
  let model: Model;
  let expected: Expected;
  beforeAll(async () => {
    expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected;
    model = await loadModel(join(FIXTURE, 'base'), { backend });
    model.attachAdapter(
      'one',
      await readAdapterFolder(join(FIXTURE, 'adapter'), { baseModules: model.modules }),
    );
    model.attachAdapter(
      'two',
      await readAdapterFolder(join(FIXTURE, 'adapter2'), { baseModules: model.modules }),
    );
  });
  afterAll(() => model?.dispose());

  it('matches PyTorch for the base and each adapter (max abs ≤ 1e-4)', () => {
    const cases = [
      ['base', null, expected.base_logits],
      ['adapter', 'one', expected.adapter_logits],
      ['adapter2', 'two', expected.adapter2_logits],
    ] as const;
    for (const [label, adapter, reference] of cases) {
      const error = maxAbsDifference(model.logits(expected.ids, { adapter }), reference);
      console.log(`${backendName} ${label}: max abs error ${error.toExponential(2)}`);
      expect(error).toBeLessThanOrEqual(ATOL);
    }
  });

  it('a mixed batch gives each row its own adapter’s logits (atol 1e-5 against single runs)', () => {
    const rows = [
      ['one', expected.adapter_logits],
      [null, expected.base_logits],
      ['two', expected.adapter2_logits],
    ] as const;
    const tokens = rows.flatMap(() => expected.ids);
    const logits = model.forward({ tokens, batch: rows.length, adapters: rows.map(([name]) => name) });
    const vocab = model.dimensions.vocab;
    rows.forEach(([name, reference], row) => {
      const single = model.logits(expected.ids, { adapter: name });
      const mine = logits.subarray(row * vocab, (row + 1) * vocab);
      expect(maxAbsDifference(mine, single)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDifference(mine, reference)).toBeLessThanOrEqual(ATOL);
    });
  });

  it('a summed adapter equals one adapter when summed with a zero-B copy (atol 1e-5)', async () => {
    const one = await readAdapterFolder(join(FIXTURE, 'adapter'), { baseModules: model.modules });
    const silent = {
      ...one,
      modules: one.modules.map((m) => ({
        ...m,
        loraB: { ...m.loraB, data: new Uint8Array(m.loraB.data.byteLength) },
      })),
    };
    model.attachAdapter('sum', sumAdapters([one, silent]));
    try {
      expect(
        maxAbsDifference(model.logits(expected.ids, { adapter: 'sum' }), expected.adapter_logits),
      ).toBeLessThanOrEqual(ATOL);
    } finally {
      model.detachAdapter('sum');
    }
  });

  it('summing an adapter with itself equals that adapter at twice the scale (atol 1e-5)', async () => {
    const one = await readAdapterFolder(join(FIXTURE, 'adapter'), { baseModules: model.modules });
    model.attachAdapter('twice', sumAdapters([one, one]));
    model.attachAdapter('double', {
      ...one,
      modules: one.modules.map((m) => ({ ...m, scale: 2 * m.scale })),
    });
    try {
      const summed = model.logits(expected.ids, { adapter: 'twice' });
      expect(maxAbsDifference(summed, model.logits(expected.ids, { adapter: 'double' }))).toBeLessThanOrEqual(
        1e-5,
      );
      expect(maxAbsDifference(summed, expected.adapter_logits)).toBeGreaterThan(1e-3);
    } finally {
      model.detachAdapter('twice');
      model.detachAdapter('double');
    }
  });
});
