import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import type { DeviceTensor } from '../device-tensor.js';
import type { AdapterSlot } from '../ops.js';
import {
  backendsPresent,
  expectClose,
  referenceBackend,
  SeededRandom,
  withTensors,
} from '../testing/index.js';

const backends = await backendsPresent();

const [T, IN, OUT] = [12, 16, 10];
/** Three adapters of different ranks, as a server holds them. */
const RANKS = [1, 4, 8];
const SCALES = [2, 0.5, 1.25];

interface Inputs {
  x: Float32Array;
  weight: Float32Array;
  bias: Float32Array;
  adapters: { loraA: Float32Array; loraB: Float32Array }[];
}

function inputs(seed: number): Inputs {
  const random = new SeededRandom(seed);
  return {
    x: random.floats(T * IN),
    weight: random.floats(OUT * IN, -0.5, 0.5),
    bias: random.floats(OUT),
    adapters: RANKS.map((r) => ({
      loraA: random.floats(r * IN, -0.5, 0.5),
      loraB: random.floats(OUT * r, -0.5, 0.5),
    })),
  };
}

type Layer = { x: DeviceTensor; weight: DeviceTensor; bias: DeviceTensor; out: DeviceTensor };
type Body = (layer: Layer, adapters: AdapterSlot[]) => void;

/** Runs `body` with the layer's tensors on `backend` and returns out. */
function run(backend: Backend, values: Inputs, body: Body): Float32Array {
  const slots = values.adapters.map((adapter, index) => ({
    loraA: backend.fromArray(adapter.loraA, [RANKS[index] as number, IN]),
    loraB: backend.fromArray(adapter.loraB, [OUT, RANKS[index] as number]),
    scale: SCALES[index] as number,
  }));
  try {
    return withTensors(
      backend,
      {
        x: { values: values.x, shape: [T, IN] },
        weight: { values: values.weight, shape: [OUT, IN] },
        bias: { values: values.bias, shape: [OUT] },
        out: [T, OUT],
      },
      (t) => body(t, slots),
    ).out;
  } finally {
    for (const slot of slots) {
      slot.loraA.dispose();
      slot.loraB.dispose();
    }
  }
}

const ROW_ADAPTER = Int32Array.from([0, 2, -1, 1, 1, 0, -1, 2, 2, 2, 0, -1]);
const SEGMENTS = [
  { start: 0, length: 3, adapter: 2 },
  { start: 5, length: 4, adapter: 0 },
  { start: 3, length: 2, adapter: -1 },
  { start: 10, length: 2, adapter: 1 },
];

describe('loraMultiForward (reference)', () => {
  it('equals loraLinearForward per row with that row’s adapter, and the plain linear for −1 rows', () => {
    const reference = referenceBackend();
    const values = inputs(1);
    const multi = run(reference, values, (base, adapters) =>
      reference.loraMultiForward({ ...base, adapters, rowAdapter: ROW_ADAPTER }),
    );
    for (let row = 0; row < T; row++) {
      const adapterIndex = ROW_ADAPTER[row] as number;
      const x = values.x.subarray(row * IN, (row + 1) * IN);
      const adapter = values.adapters[adapterIndex];
      const r = RANKS[adapterIndex] ?? 0;
      const common = {
        x: { values: x, shape: [1, IN] },
        weight: { values: values.weight, shape: [OUT, IN] },
        bias: { values: values.bias, shape: [OUT] },
        out: [1, OUT],
      };
      const single = adapter
        ? withTensors(
            reference,
            {
              ...common,
              loraA: { values: adapter.loraA, shape: [r, IN] },
              loraB: { values: adapter.loraB, shape: [OUT, r] },
            },
            (t) => reference.loraLinearForward({ ...t, scale: SCALES[adapterIndex] as number }),
          ).out
        : withTensors(reference, common, (t) => reference.loraLinearForward(t)).out;
      // Same fp64 loops on both sides: equal to f32 rounding.
      expectClose(multi.subarray(row * OUT, (row + 1) * OUT), single, {
        atol: 1e-7,
        rtol: 1e-6,
        label: `row ${row} (adapter ${adapterIndex})`,
      });
    }
  });

  it('segmented form equals the gather form with the same per-row adapters', () => {
    const reference = referenceBackend();
    const values = inputs(2);
    const rowAdapter = new Int32Array(T).fill(-1);
    for (const segment of SEGMENTS)
      rowAdapter.fill(segment.adapter, segment.start, segment.start + segment.length);
    const gathered = run(reference, values, (base, adapters) =>
      reference.loraMultiForward({ ...base, adapters, rowAdapter }),
    );
    const segmented = run(reference, values, (base, adapters) =>
      reference.loraSegmentedForward({ ...base, adapters, segments: SEGMENTS }),
    );
    expectClose(segmented, gathered, { atol: 0, rtol: 0 });
  });
});

describe.each(backends)('multi-adapter LoRA on $name', (backend: Backend) => {
  it('gather form matches the reference', () => {
    const values = inputs(3);
    const body = (target: Backend) => (base: Layer, adapters: AdapterSlot[]) =>
      target.loraMultiForward({ ...base, adapters, rowAdapter: ROW_ADAPTER });
    // f32 with an f32 intermediate against fp64: sums of ≤ 16 terms of size ≤ 1.
    expectClose(
      run(backend, values, body(backend)),
      run(referenceBackend(), values, body(referenceBackend())),
      { atol: 1e-5, rtol: 1e-5, label: `loraMultiForward on ${backend.name}`, shape: [T, OUT] },
    );
  });

  it('segmented form matches the reference', () => {
    const values = inputs(4);
    const body = (target: Backend) => (base: Layer, adapters: AdapterSlot[]) =>
      target.loraSegmentedForward({ ...base, adapters, segments: SEGMENTS });
    expectClose(
      run(backend, values, body(backend)),
      run(referenceBackend(), values, body(referenceBackend())),
      { atol: 1e-5, rtol: 1e-5, label: `loraSegmentedForward on ${backend.name}`, shape: [T, OUT] },
    );
  });

  it('rejects adapter indices out of range and bad segments, naming the op', () => {
    const values = inputs(5);
    const attempt =
      (body: Body): (() => void) =>
      () =>
        run(backend, values, body);
    const badRows = Int32Array.from(ROW_ADAPTER).fill(3, 4, 5);
    expect(
      attempt((base, adapters) => backend.loraMultiForward({ ...base, adapters, rowAdapter: badRows })),
    ).toThrow('loraMultiForward: rowAdapter[4] = 3 is out of range [0, 3) (or -1)');
    expect(
      attempt((base, adapters) =>
        backend.loraMultiForward({ ...base, adapters, rowAdapter: new Int32Array(T - 1) }),
      ),
    ).toThrow(`loraMultiForward: rowAdapter has ${T - 1} entries, expected ${T}`);
    expect(
      attempt((base, adapters) =>
        backend.loraSegmentedForward({
          ...base,
          adapters,
          segments: [
            { start: 0, length: 4, adapter: 0 },
            { start: 3, length: 2, adapter: 1 },
          ],
        }),
      ),
    ).toThrow('loraSegmentedForward: segments [0, 4) and [3, 5) overlap');
    expect(
      attempt((base, adapters) =>
        backend.loraSegmentedForward({ ...base, adapters, segments: [{ start: 10, length: 4, adapter: 0 }] }),
      ),
    ).toThrow(`loraSegmentedForward: segments[0] = [10, 14) runs past the ${T} rows of x [${T}, ${IN}]`);
    expect(
      attempt((base, adapters) =>
        backend.loraSegmentedForward({ ...base, adapters, segments: [{ start: 0, length: 1, adapter: 5 }] }),
      ),
    ).toThrow('loraSegmentedForward: segments[0].adapter = 5 is out of range [0, 3)');
    expect(
      attempt((base, adapters) =>
        backend.loraSegmentedForward({ ...base, adapters, segments: [{ start: -1, length: 1, adapter: 0 }] }),
      ),
    ).toThrow('loraSegmentedForward: segments[0].start = -1');
    expect(
      attempt((base, adapters) =>
        backend.loraMultiForward({
          ...base,
          adapters: [{ ...(adapters[0] as AdapterSlot), loraB: adapters[1]!.loraB }],
          rowAdapter: new Int32Array(T),
        }),
      ),
    ).toThrow('loraMultiForward: adapters[0].loraB has shape [10, 4], expected [10, 1]');
  });
});
