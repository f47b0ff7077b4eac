import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import {
  backendsPresent,
  expectClose,
  finiteDifference,
  referenceBackend,
  SeededRandom,
  weightedSum,
  withTensors,
} from '../testing/index.js';

const backends = await backendsPresent();

const [V, H] = [11, 6];
/** Repeated ids exercise the scatter-add. */
const IDS = Int32Array.from([3, 0, 10, 3, 7, 3, 0]);
const T = IDS.length;

describe('embedding (reference values)', () => {
  it('copies the table rows of the ids', () => {
    const reference = referenceBackend();
    const table = Float32Array.from({ length: V * H }, (_, index) => index);
    const { out } = withTensors(reference, { table: { values: table, shape: [V, H] }, out: [T, H] }, (t) =>
      reference.embedding(t.out, t.table, IDS),
    );
    for (let t = 0; t < T; t++)
      expectClose(out.subarray(t * H, (t + 1) * H), table.subarray(IDS[t]! * H, (IDS[t]! + 1) * H), {
        atol: 0,
        rtol: 0,
      });
  });
});

describe.each(backends)('embedding on $name', (backend: Backend) => {
  it('forward and the scatter-add backward (overwrite and accumulate) match the reference', () => {
    const random = new SeededRandom(11);
    const table = random.floats(V * H);
    const dy = random.floats(T * H);
    const start = random.floats(V * H);
    const run = (target: Backend): Record<string, Float32Array> => ({
      ...withTensors(target, { table: { values: table, shape: [V, H] }, out: [T, H] }, (t) =>
        target.embedding(t.out, t.table, IDS),
      ),
      ...withTensors(
        target,
        { dy: { values: dy, shape: [T, H] }, dTable: { values: start, shape: [V, H] } },
        (t) => target.embeddingBackward(t.dTable, t.dy, IDS),
      ),
      accumulated: withTensors(
        target,
        { dy: { values: dy, shape: [T, H] }, dTable: { values: start, shape: [V, H] } },
        (t) => target.embeddingBackward(t.dTable, t.dy, IDS, { accumulate: true }),
      ).dTable,
    });
    const expected = run(referenceBackend());
    const actual = run(backend);
    // A copy is exact; the scatter adds at most 4 values of size ≤ 1 (order may differ: f32 rounding).
    expectClose(actual['out']!, expected['out']!, {
      atol: 0,
      rtol: 0,
      label: `embedding on ${backend.name}`,
    });
    expectClose(actual['dTable']!, expected['dTable']!, {
      atol: 1e-6,
      rtol: 1e-6,
      label: `embeddingBackward on ${backend.name}`,
    });
    expectClose(actual['accumulated']!, expected['accumulated']!, {
      atol: 1e-6,
      rtol: 1e-6,
      label: `embeddingBackward accumulate on ${backend.name}`,
    });
  });

  it('rejects token ids out of range, naming the op', () => {
    const table = backend.zeros([V, H]);
    const out = backend.zeros([2, H]);
    expect(() => backend.embedding(out, table, Int32Array.from([1, V]))).toThrow(
      `embedding: ids[1] = ${V} is out of range [0, ${V})`,
    );
    expect(() => backend.embedding(out, table, Int32Array.from([-1, 0]))).toThrow(
      `embedding: ids[0] = -1 is out of range [0, ${V})`,
    );
    expect(() => backend.embedding(backend.zeros([2, H + 1]), table, Int32Array.from([1, 2]))).toThrow(
      `embedding: out has shape [2, ${H + 1}], expected [2, ${H}] for table [${V}, ${H}]`,
    );
    expect(() => backend.embeddingBackward(table, out, Int32Array.from([0, 1, 2]))).toThrow(
      'embeddingBackward: ids has 3 entries, expected 2',
    );
  });
});

describe('embeddingBackward finite differences (reference)', () => {
  it('is the gradient of L = Σ dy ⊙ table[ids]', () => {
    const reference = referenceBackend();
    const random = new SeededRandom(12);
    const table = random.floats(V * H);
    const dy = random.floats(T * H);
    const loss = (point: Float32Array): number =>
      weightedSum(
        withTensors(reference, { table: { values: point, shape: [V, H] }, out: [T, H] }, (t) =>
          reference.embedding(t.out, t.table, IDS),
        ).out,
        dy,
      );
    const { dTable } = withTensors(reference, { dy: { values: dy, shape: [T, H] }, dTable: [V, H] }, (t) =>
      reference.embeddingBackward(t.dTable, t.dy, IDS),
    );
    // L is linear in the table: differences are exact up to f32 rounding of the looked-up values (h = 1e-3).
    expectClose(dTable, finiteDifference(loss, table), { atol: 1e-4, rtol: 1e-4 });
  });
});
