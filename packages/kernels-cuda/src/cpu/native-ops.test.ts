/**
 * cpu-specific checks of the native non-GEMM ops against the reference, at shapes larger and more awkward than
 * the shared op tests (block tails, head dims that are not multiples of 8, long rows), plus what only the native
 * side can get wrong: thread-count independence and its own length checks. Skipped when the addon is not built.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import type { DeviceTensor } from '../device-tensor.js';
import { loadNative } from '../native/load-native.js';
import type { NativeModule } from '../native/native-module.js';
import { expectClose, referenceBackend, SeededRandom, withTensors } from '../testing/index.js';
import type { TensorSpec } from '../testing/index.js';
import { createCpuBackend } from './cpu-backend.js';
import { nativeOpNames } from './native-op-names.js';

const loaded = loadNative();
const fallbacks = 'module' in loaded ? nativeOpNames(loaded.module).reference : [];
const skipReason =
  'unavailable' in loaded
    ? loaded.unavailable
    : fallbacks.length > 0
      ? `the addon lacks ${fallbacks.join(', ')} (rebuild it)`
      : undefined;
const native = 'module' in loaded && skipReason === undefined ? loaded.module : undefined;
if (skipReason !== undefined) console.warn(`[native-ops tests] skipped: ${skipReason}`);

const nativeBackend = (): Backend => createCpuBackend();

/** Runs `body` on the reference and on the native backend with the same inputs. */
function compare<Names extends string>(
  specs: Readonly<Record<Names, TensorSpec>>,
  body: (backend: Backend, tensors: Record<Names, DeviceTensor>) => void,
): { expected: Record<Names, Float32Array>; actual: Record<Names, Float32Array> } {
  const cpu = nativeBackend();
  return {
    expected: withTensors(referenceBackend(), specs, (tensors) => body(referenceBackend(), tensors)),
    actual: withTensors(cpu, specs, (tensors) => body(cpu, tensors)),
  };
}

function bitsEqual(actual: Float32Array, expected: Float32Array): void {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const first = a.findIndex((value, index) => value !== e[index]);
  expect(
    first,
    first < 0 ? '' : `first differing element ${first}: ${actual[first]} vs ${expected[first]}`,
  ).toBe(-1);
}

const random = new SeededRandom(2024);
const values = (size: number, low = -1, high = 1): Float32Array => random.floats(size, low, high);

describe.skipIf(!native)('native non-GEMM ops vs reference (larger shapes)', () => {
  it('embedding and embeddingBackward (repeated ids, accumulate) are bit-exact', () => {
    const [T, V, H] = [300, 50, 77];
    const ids = random.integers(T, 0, V);
    const table = values(V * H);
    const dy = values(T * H);
    const forward = compare({ out: [T, H], table: { values: table, shape: [V, H] } }, (b, t) =>
      b.embedding(t.out, t.table, ids),
    );
    bitsEqual(forward.actual.out, forward.expected.out);
    for (const accumulate of [false, true]) {
      const backward = compare(
        { dTable: { values: table, shape: [V, H] }, dy: { values: dy, shape: [T, H] } },
        (b, t) => b.embeddingBackward(t.dTable, t.dy, ids, { accumulate }),
      );
      bitsEqual(backward.actual.dTable, backward.expected.dTable);
    }
  });

  it('rmsNorm and rmsNormBackward (H not a multiple of 8)', () => {
    const [rows, H] = [37, 1029];
    const x = values(rows * H, -3, 3);
    const weight = values(H, 0.5, 1.5);
    const forward = compare(
      {
        out: [rows, H],
        x: { values: x, shape: [rows, H] },
        weight: { values: weight, shape: [H] },
        rstd: [rows],
      },
      (b, t) => b.rmsNorm(t.out, t.x, t.weight, 1e-5, t.rstd),
    );
    // fp64 sums and products rounded once, as the reference: agreement to an f32 rounding step.
    expectClose(forward.actual.out, forward.expected.out, { atol: 1e-7, rtol: 2e-7, label: 'rmsNorm out' });
    expectClose(forward.actual.rstd, forward.expected.rstd, { atol: 0, rtol: 1e-7, label: 'rmsNorm rstd' });
    const backward = compare(
      {
        dx: [rows, H],
        dy: { values: values(rows * H), shape: [rows, H] },
        x: { values: x, shape: [rows, H] },
        weight: { values: weight, shape: [H] },
        rstd: { values: forward.expected.rstd, shape: [rows] },
        dWeight: { values: values(H), shape: [H] },
      },
      (b, t) => b.rmsNormBackward({ ...t, accumulate: true }),
    );
    expectClose(backward.actual.dx, backward.expected.dx, { atol: 1e-6, rtol: 1e-6, label: 'rmsNorm dx' });
    expectClose(backward.actual.dWeight, backward.expected.dWeight, {
      atol: 1e-6,
      rtol: 1e-6,
      label: 'rmsNorm dWeight',
    });
  });

  it.each([
    ['plain', undefined],
    [
      'Llama-3 scaling',
      { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 },
    ],
  ] as const)('rope (%s, long positions, forward then inverse)', (_, scaling) => {
    const [rows, heads, D] = [40, 3, 128];
    const positions = Int32Array.from({ length: rows }, (_, i) => (i * 7919) % 131072);
    const x = values(rows * heads * D, -2, 2);
    for (const inverse of [false, true]) {
      const result = compare({ x: { values: x, shape: [rows, heads, D] } }, (b, t) =>
        b.rope({ x: t.x, positions, theta: 500000, ...(scaling ? { scaling } : {}), inverse }),
      );
      // Same f32 angles as the reference (bit for bit), fp64 cos/sin: one f32 rounding apart at most.
      expectClose(result.actual.x, result.expected.x, {
        atol: 1e-6,
        rtol: 2e-7,
        label: `rope inverse=${inverse}`,
      });
    }
  });

  it('siluMul and its backward (tails, large |gate|)', () => {
    const n = 4099;
    const gate = values(n, -30, 30);
    gate.set([100, -100, 0, -0], 0);
    const up = values(n, -2, 2);
    const forward = compare(
      { out: [n], gate: { values: gate, shape: [n] }, up: { values: up, shape: [n] } },
      (b, t) => b.siluMul(t.out, t.gate, t.up),
    );
    // f32 exp (≈1 ulp) and a division, against fp64 rounded once: a few ulps.
    expectClose(forward.actual.out, forward.expected.out, { atol: 1e-30, rtol: 1e-6, label: 'siluMul' });
    const backward = compare(
      {
        dGate: [n],
        dUp: [n],
        dy: { values: values(n), shape: [n] },
        gate: { values: gate, shape: [n] },
        up: { values: up, shape: [n] },
      },
      (b, t) => b.siluMulBackward(t),
    );
    expectClose(backward.actual.dUp, backward.expected.dUp, { atol: 1e-30, rtol: 1e-6, label: 'dUp' });
    // dGate's (1 + g·(1 − σ)) cancels near g ≈ −1.28: absolute bound from |dy·up| ≤ 2.
    expectClose(backward.actual.dGate, backward.expected.dGate, { atol: 2e-6, rtol: 2e-6, label: 'dGate' });
  });

  it.each([false, true])('crossEntropy over a long vocabulary (in place: %s)', (inPlace) => {
    const [T, V] = [9, 5003];
    const logits = values(T * V, -12, 12);
    const targets = Int32Array.from([0, 5002, -100, 17, 4999, 2500, -100, 1, 3000]);
    const specs = inPlace
      ? { logits: { values: logits, shape: [T, V] }, losses: [T] }
      : { logits: { values: logits, shape: [T, V] }, losses: [T], dLogits: [T, V] };
    const result = compare(specs as Record<'logits' | 'losses' | 'dLogits', TensorSpec>, (b, t) =>
      b.crossEntropy({
        logits: t.logits,
        targets,
        losses: t.losses,
        dLogits: inPlace ? t.logits : t.dLogits,
        gradScale: 1 / 7,
      }),
    );
    // Losses ≈ 10: fp64 log-sum-exp of f32 exps.
    expectClose(result.actual.losses, result.expected.losses, { atol: 1e-5, rtol: 1e-6, label: 'losses' });
    const gradient = inPlace ? 'logits' : 'dLogits';
    // Probabilities ≤ 1/7: f32 exp of an f32 difference ≲ 24, so ~1.5e-6 relative.
    expectClose(result.actual[gradient], result.expected[gradient], {
      atol: 1e-9,
      rtol: 3e-6,
      label: 'dLogits',
    });
  });

  it('adamw, scale and add are bit-exact; sumOfSquares agrees to fp64 rounding', () => {
    const n = 10007;
    const specs = {
      param: { values: values(n), shape: [n] },
      grad: { values: values(n, -0.1, 0.1), shape: [n] },
      m: { values: values(n, -0.01, 0.01), shape: [n] },
      v: { values: values(n, 0, 1e-4), shape: [n] },
    };
    const adam = compare(specs, (b, t) =>
      b.adamw({ ...t, step: 7, lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }),
    );
    for (const name of ['param', 'm', 'v'] as const) bitsEqual(adam.actual[name], adam.expected[name]);
    const scaled = compare({ x: { values: values(n), shape: [n] } }, (b, t) => b.scale(t.x, 0.123456789));
    bitsEqual(scaled.actual.x, scaled.expected.x);
    const sum = compare(
      { a: { values: values(n), shape: [n] }, b: { values: values(n), shape: [n] } },
      (backend, t) => backend.add(t.a, t.a, t.b),
    );
    bitsEqual(sum.actual.a, sum.expected.a);
    const cpu = nativeBackend();
    const tensors = [cpu.fromArray(values(n), [n]), cpu.fromArray(values(77), [7, 11])];
    const referenceTensors = tensors.map((tensor) =>
      referenceBackend().fromArray(cpu.toArray(tensor), tensor.shape),
    );
    // Blocked fp64 sums vs one sequential fp64 sum.
    expectClose([cpu.sumOfSquares(tensors)], [referenceBackend().sumOfSquares(referenceTensors)], {
      atol: 0,
      rtol: 1e-13,
    });
  });

  it('sumOfSquares propagates NaN and infinity', () => {
    const cpu = nativeBackend();
    const finite = cpu.fromArray(values(5000), [5000]);
    const withNaN = cpu.fromArray([1, 2, Number.NaN, 4], [4]);
    const withInfinity = cpu.fromArray([1, Number.NEGATIVE_INFINITY], [2]);
    expect(cpu.sumOfSquares([finite, withNaN])).toBeNaN();
    expect(cpu.sumOfSquares([withInfinity, finite])).toBe(Number.POSITIVE_INFINITY);
    expect(cpu.sumOfSquares([])).toBe(0);
  });

  it.each([false, true])('merge (fanInFanOut: %s)', (fanInFanOut) => {
    const [out, inFeatures, r] = [67, 45, 5];
    const result = compare(
      {
        weight: {
          values: values(out * inFeatures),
          shape: fanInFanOut ? [inFeatures, out] : [out, inFeatures],
        },
        loraA: { values: values(r * inFeatures), shape: [r, inFeatures] },
        loraB: { values: values(out * r), shape: [out, r] },
      },
      (b, t) => b.merge({ ...t, scale: 1.7, fanInFanOut }),
    );
    // fp64 sums in the same order, rounded once: equal up to fused-multiply-add rounding in fp64.
    expectClose(result.actual.weight, result.expected.weight, { atol: 1e-7, rtol: 1e-7 });
  });
});

describe.skipIf(!native)('native checks and thread independence', () => {
  it('rejects arrays whose length does not match the sizes passed', () => {
    const module = native as NativeModule;
    expect(() => module.siluMul(new Float32Array(3), new Float32Array(4), new Float32Array(4), 4)).toThrow(
      'siluMul: out has 3 elements, expected 4 (native check)',
    );
    expect(() =>
      module.embedding(new Float32Array(4), new Float32Array(8), Int32Array.of(0, 9), 2, 4, 2),
    ).toThrow('embedding: ids[1] = 9 is out of range [0, 4) (native check)');
    expect(() =>
      module.crossEntropy(new Float32Array(6), Int32Array.of(1, 3), new Float32Array(2), null, 2, 3, -100, 1),
    ).toThrow('(native check)');
    expect(() =>
      module.decodeAttention(
        new Float32Array(4),
        new Float32Array(16),
        new Float32Array(16),
        Int32Array.of(5),
        new Float32Array(4),
        1,
        4,
        1,
        1,
        4,
        0.5,
      ),
    ).toThrow('decodeAttention: lengths[0] = 5 is out of range [1, 4] (native check)');
    expect(() =>
      module.writeKvCache(
        new Float32Array(16),
        new Float32Array(16),
        new Float32Array(8),
        new Float32Array(8),
        Int32Array.of(3),
        1,
        4,
        2,
        1,
        4,
      ),
    ).toThrow('(native check)');
    expect(() => module.cast(new Float32Array(4), new Float32Array(4), 4, 'f16', 'f32')).toThrow(
      'cast: out must be a Uint16Array (native check)',
    );
  });

  it('gives the same bits on one thread as on all of them', () => {
    const module = native as NativeModule;
    const threads = module.threadCount();
    const [B, T, Hq, Hkv, D] = [2, 97, 4, 2, 32];
    const run = (): Float32Array[] => {
      const r = new SeededRandom(5);
      const [q, k, v, dOut] = [B * T * Hq * D, B * T * Hkv * D, B * T * Hkv * D, B * T * Hq * D].map((size) =>
        r.floats(size),
      );
      const out = new Float32Array(B * T * Hq * D);
      const lse = new Float32Array(B * Hq * T);
      module.attention(
        q as Float32Array,
        k as Float32Array,
        v as Float32Array,
        out,
        lse,
        B,
        T,
        Hq,
        Hkv,
        D,
        0.2,
      );
      const [dq, dk, dv] = [
        new Float32Array(q?.length ?? 0),
        new Float32Array(k?.length ?? 0),
        new Float32Array(v?.length ?? 0),
      ];
      module.attentionBackward(
        dOut as Float32Array,
        q as Float32Array,
        k as Float32Array,
        v as Float32Array,
        out,
        lse,
        dq,
        dk,
        dv,
        B,
        T,
        Hq,
        Hkv,
        D,
        0.2,
      );
      const logits = r.floats(64 * 333, -5, 5);
      const losses = new Float32Array(64);
      module.crossEntropy(logits, r.integers(64, 0, 333), losses, logits, 64, 333, -100, 1);
      return [out, lse, dq, dk, dv, losses, logits, Float32Array.of(module.sumOfSquares([dq, dk, dv]))];
    };
    try {
      module.setThreadCount(1);
      const serial = run();
      module.setThreadCount(Math.max(2, threads));
      const parallel = run();
      serial.forEach((array, index) => bitsEqual(parallel[index] as Float32Array, array));
    } finally {
      module.setThreadCount(threads);
    }
  });
});
