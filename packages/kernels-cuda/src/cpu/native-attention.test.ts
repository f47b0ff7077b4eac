/**
 * The native attention kernels (causal GQA forward/backward, decode over a KV cache, cache writes) against the
 * reference at shapes that exercise the block tails: T not a multiple of the 48-row query or 64-key blocks, head
 * dims that are not multiples of 8, several query heads per kv head. Skipped when the addon is not built.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import type { DeviceTensor } from '../device-tensor.js';
import { loadNative } from '../native/load-native.js';
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
if (skipReason !== undefined) console.warn(`[native attention tests] skipped: ${skipReason}`);

function compare<Names extends string>(
  specs: Readonly<Record<Names, TensorSpec>>,
  body: (backend: Backend, tensors: Record<Names, DeviceTensor>) => void,
): { expected: Record<Names, Float32Array>; actual: Record<Names, Float32Array> } {
  const cpu = createCpuBackend();
  return {
    expected: withTensors(referenceBackend(), specs, (tensors) => body(referenceBackend(), tensors)),
    actual: withTensors(cpu, specs, (tensors) => body(cpu, tensors)),
  };
}

const random = new SeededRandom(77);

describe.skipIf(!native)('native attention vs reference', () => {
  it.each([
    [2, 150, 4, 2, 40],
    [1, 97, 6, 1, 64],
    [1, 5, 2, 2, 3],
  ])('forward and backward, B=%i T=%i Hq=%i Hkv=%i D=%i', (B, T, Hq, Hkv, D) => {
    const q = { values: random.floats(B * T * Hq * D, -2, 2), shape: [B, T, Hq, D] };
    const k = { values: random.floats(B * T * Hkv * D, -2, 2), shape: [B, T, Hkv, D] };
    const v = { values: random.floats(B * T * Hkv * D), shape: [B, T, Hkv, D] };
    const forward = compare({ q, k, v, out: [B, T, Hq, D], logSumExp: [B, Hq, T] }, (backend, t) =>
      backend.attention(t),
    );
    // f32 dot products of length D and f32 probability sums over ≤ T keys, against fp64.
    expectClose(forward.actual.out, forward.expected.out, {
      atol: 2e-6,
      rtol: 1e-5,
      label: 'out',
      shape: [B, T, Hq, D],
    });
    expectClose(forward.actual.logSumExp, forward.expected.logSumExp, {
      atol: 2e-6,
      rtol: 1e-6,
      label: 'logSumExp',
      shape: [B, Hq, T],
    });
    const saved = {
      out: { values: forward.expected.out, shape: [B, T, Hq, D] },
      logSumExp: { values: forward.expected.logSumExp, shape: [B, Hq, T] },
    };
    const dOut = { values: random.floats(B * T * Hq * D), shape: [B, T, Hq, D] };
    const backward = compare(
      { q, k, v, ...saved, dOut, dq: [B, T, Hq, D], dk: [B, T, Hkv, D], dv: [B, T, Hkv, D] },
      (backend, t) => backend.attentionBackward(t),
    );
    // Gradients sum up to T·group terms of size ≲ 1 in f32.
    for (const name of ['dq', 'dk', 'dv'] as const) {
      expectClose(backward.actual[name], backward.expected[name], { atol: 1e-5, rtol: 1e-4, label: name });
    }
  });

  it('a custom scale, and rows far apart in magnitude (online softmax rescaling)', () => {
    const [B, T, Hq, Hkv, D] = [1, 130, 2, 1, 16];
    const keys = random.floats(B * T * Hkv * D, -1, 1);
    // Late keys score much higher than early ones, so the running maximum grows block after block.
    for (let t = 0; t < T; t++)
      for (let d = 0; d < D; d++) keys[t * D + d] = (keys[t * D + d] as number) + t / 20;
    const specs = {
      q: { values: new Float32Array(B * T * Hq * D).fill(1), shape: [B, T, Hq, D] },
      k: { values: keys, shape: [B, T, Hkv, D] },
      v: { values: random.floats(B * T * Hkv * D), shape: [B, T, Hkv, D] },
      out: [B, T, Hq, D],
      logSumExp: [B, Hq, T],
    };
    const forward = compare(specs, (backend, t) => backend.attention({ ...t, scale: 0.9 }));
    // Scores reach ≈ 95, where one f32 ulp (7.6e-6) is the probabilities' relative error.
    expectClose(forward.actual.out, forward.expected.out, { atol: 1e-5, rtol: 1e-5, label: 'out' });
    // lse reaches ≈ 0.9·16·6.5 ≈ 95: relative f32 accuracy.
    expectClose(forward.actual.logSumExp, forward.expected.logSumExp, {
      atol: 1e-5,
      rtol: 1e-6,
      label: 'logSumExp',
    });
  });

  it('decodeAttention over caches of different lengths, and writeKvCache', () => {
    const [B, maxT, Hq, Hkv, D] = [3, 200, 8, 2, 24];
    const lengths = Int32Array.from([1, 130, 200]);
    const specs = {
      q: { values: random.floats(B * Hq * D, -2, 2), shape: [B, Hq, D] },
      keyCache: { values: random.floats(B * maxT * Hkv * D, -2, 2), shape: [B, maxT, Hkv, D] },
      valueCache: { values: random.floats(B * maxT * Hkv * D), shape: [B, maxT, Hkv, D] },
      out: [B, Hq, D],
    };
    const decode = compare(specs, (backend, t) => backend.decodeAttention({ ...t, lengths }));
    expectClose(decode.actual.out, decode.expected.out, {
      atol: 2e-6,
      rtol: 1e-5,
      label: 'decode out',
      shape: [B, Hq, D],
    });
    const Tnew = 7;
    const offsets = Int32Array.from([0, 193, 50]);
    const write = compare(
      {
        ...specs,
        k: { values: random.floats(B * Tnew * Hkv * D), shape: [B, Tnew, Hkv, D] },
        v: { values: random.floats(B * Tnew * Hkv * D), shape: [B, Tnew, Hkv, D] },
      },
      (backend, t) =>
        backend.writeKvCache({ keyCache: t.keyCache, valueCache: t.valueCache, k: t.k, v: t.v, offsets }),
    );
    expect(write.actual.keyCache).toEqual(write.expected.keyCache);
    expect(write.actual.valueCache).toEqual(write.expected.valueCache);
  });
});
