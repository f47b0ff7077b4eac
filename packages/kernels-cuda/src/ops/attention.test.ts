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

type Shape = { B: number; T: number; Hq: number; Hkv: number; D: number };
const SHAPE: Shape = { B: 2, T: 5, Hq: 4, Hkv: 2, D: 8 };

function qkv(shape: Shape, seed: number): Record<'q' | 'k' | 'v' | 'dOut', Float32Array> {
  const random = new SeededRandom(seed);
  const { B, T, Hq, Hkv, D } = shape;
  return {
    q: random.floats(B * T * Hq * D),
    k: random.floats(B * T * Hkv * D),
    v: random.floats(B * T * Hkv * D),
    dOut: random.floats(B * T * Hq * D),
  };
}

function attention(
  backend: Backend,
  shape: Shape,
  values: Record<'q' | 'k' | 'v', ArrayLike<number>>,
  scale?: number,
): Record<'out' | 'logSumExp', Float32Array> {
  const { B, T, Hq, Hkv, D } = shape;
  const { out, logSumExp } = withTensors(
    backend,
    {
      q: { values: values.q, shape: [B, T, Hq, D] },
      k: { values: values.k, shape: [B, T, Hkv, D] },
      v: { values: values.v, shape: [B, T, Hkv, D] },
      out: [B, T, Hq, D],
      logSumExp: [B, Hq, T],
    },
    (t) => backend.attention({ ...t, ...(scale === undefined ? {} : { scale }) }),
  );
  return { out, logSumExp };
}

function attentionBackward(
  backend: Backend,
  shape: Shape,
  values: Record<'q' | 'k' | 'v' | 'dOut', Float32Array>,
): Record<'dq' | 'dk' | 'dv', Float32Array> {
  const { B, T, Hq, Hkv, D } = shape;
  const saved = attention(referenceBackend(), shape, values);
  const { dq, dk, dv } = withTensors(
    backend,
    {
      q: { values: values.q, shape: [B, T, Hq, D] },
      k: { values: values.k, shape: [B, T, Hkv, D] },
      v: { values: values.v, shape: [B, T, Hkv, D] },
      dOut: { values: values.dOut, shape: [B, T, Hq, D] },
      out: { values: saved.out, shape: [B, T, Hq, D] },
      logSumExp: { values: saved.logSumExp, shape: [B, Hq, T] },
      dq: [B, T, Hq, D],
      dk: [B, T, Hkv, D],
      dv: [B, T, Hkv, D],
    },
    (t) => backend.attentionBackward(t),
  );
  return { dq, dk, dv };
}

describe('attention (reference values)', () => {
  it('averages the visible values when every score is equal, and lse = log(t + 1)', () => {
    const shape: Shape = { B: 1, T: 3, Hq: 1, Hkv: 1, D: 2 };
    const v = [1, 2, 3, 4, 5, 6];
    const { out, logSumExp } = attention(referenceBackend(), shape, {
      q: new Float32Array(6),
      k: new Float32Array(6),
      v,
    });
    // Causal: row t averages v_0 … v_t.
    expectClose(out, [1, 2, 2, 3, 3, 4], { atol: 1e-6, rtol: 1e-6 });
    expectClose(logSumExp, [0, Math.log(2), Math.log(3)], { atol: 1e-6, rtol: 1e-6 });
  });

  it('writeKvCache + decodeAttention reproduce every row of causal attention; decode equals the last row', () => {
    const reference = referenceBackend();
    const { B, T, Hq, Hkv, D } = SHAPE;
    const values = qkv(SHAPE, 1);
    const full = attention(reference, SHAPE, values).out;
    const maxT = T + 2;
    const keyCache = reference.zeros([B, maxT, Hkv, D]);
    const valueCache = reference.zeros([B, maxT, Hkv, D]);
    // Fill the cache one token at a time, as a server does, and decode each position.
    for (let t = 0; t < T; t++) {
      const rows = (array: Float32Array, heads: number): Float32Array => {
        const slice = new Float32Array(B * heads * D);
        for (let b = 0; b < B; b++)
          slice.set(array.subarray((b * T + t) * heads * D, (b * T + t + 1) * heads * D), b * heads * D);
        return slice;
      };
      const decoded = withTensors(
        reference,
        {
          k: { values: rows(values.k, Hkv), shape: [B, 1, Hkv, D] },
          v: { values: rows(values.v, Hkv), shape: [B, 1, Hkv, D] },
          q: { values: rows(values.q, Hq), shape: [B, Hq, D] },
          out: [B, Hq, D],
        },
        (tensors) => {
          reference.writeKvCache({
            keyCache,
            valueCache,
            k: tensors.k,
            v: tensors.v,
            offsets: new Int32Array(B).fill(t),
          });
          reference.decodeAttention({
            q: tensors.q,
            keyCache,
            valueCache,
            lengths: new Int32Array(B).fill(t + 1),
            out: tensors.out,
          });
        },
      ).out;
      // Same fp64 loops, both stored in f32.
      expectClose(decoded, rows(full, Hq), { atol: 1e-6, rtol: 1e-6, label: `position ${t}` });
    }
    keyCache.dispose();
    valueCache.dispose();
  });
});

describe.each(backends)('attention on $name', (backend: Backend) => {
  it.each([
    ['grouped-query heads', SHAPE],
    ['multi-head (Hq = Hkv)', { B: 1, T: 7, Hq: 3, Hkv: 3, D: 4 }],
    ['multi-query (Hkv = 1)', { B: 1, T: 6, Hq: 4, Hkv: 1, D: 16 }],
  ] as const)('forward with %s matches the reference', (_, shape) => {
    const values = qkv(shape, 2);
    const expected = attention(referenceBackend(), shape, values);
    const actual = attention(backend, shape, values);
    // Softmax-weighted averages of |v| ≤ 1 with f32 exp and sums of ≤ 16 terms.
    expectClose(actual.out, expected.out, {
      atol: 1e-5,
      rtol: 1e-5,
      label: `attention out on ${backend.name}`,
    });
    expectClose(actual.logSumExp, expected.logSumExp, {
      atol: 1e-5,
      rtol: 1e-5,
      label: `attention logSumExp on ${backend.name}`,
    });
  });

  it('honours an explicit scale', () => {
    const values = qkv(SHAPE, 3);
    expectClose(
      attention(backend, SHAPE, values, 0.9).out,
      attention(referenceBackend(), SHAPE, values, 0.9).out,
      { atol: 1e-5, rtol: 1e-5 },
    );
  });

  it('backward matches the reference', () => {
    const values = qkv(SHAPE, 4);
    const expected = attentionBackward(referenceBackend(), SHAPE, values);
    const actual = attentionBackward(backend, SHAPE, values);
    for (const name of ['dq', 'dk', 'dv'] as const) {
      // Sums over ≤ 5 keys and 2 query heads per kv head of f32 products.
      expectClose(actual[name], expected[name], {
        atol: 2e-5,
        rtol: 1e-4,
        label: `${name} on ${backend.name}`,
      });
    }
  });

  it('decodeAttention over a cache matches the reference with ragged lengths', () => {
    const random = new SeededRandom(5);
    const [B, maxT, Hq, Hkv, D] = [3, 9, 4, 2, 8];
    const lengths = Int32Array.from([1, 9, 4]);
    const specs = {
      q: { values: random.floats(B * Hq * D), shape: [B, Hq, D] },
      keyCache: { values: random.floats(B * maxT * Hkv * D), shape: [B, maxT, Hkv, D] },
      valueCache: { values: random.floats(B * maxT * Hkv * D), shape: [B, maxT, Hkv, D] },
      out: [B, Hq, D],
    };
    const run = (target: Backend): Float32Array =>
      withTensors(target, specs, (t) => target.decodeAttention({ ...t, lengths })).out;
    expectClose(run(backend), run(referenceBackend()), {
      atol: 1e-5,
      rtol: 1e-5,
      label: `decodeAttention on ${backend.name}`,
    });
  });

  it('writeKvCache writes at each sequence’s offset', () => {
    const random = new SeededRandom(6);
    const [B, maxT, Tnew, Hkv, D] = [2, 6, 2, 2, 4];
    const specs = {
      keyCache: { values: random.floats(B * maxT * Hkv * D), shape: [B, maxT, Hkv, D] },
      valueCache: { values: random.floats(B * maxT * Hkv * D), shape: [B, maxT, Hkv, D] },
      k: { values: random.floats(B * Tnew * Hkv * D), shape: [B, Tnew, Hkv, D] },
      v: { values: random.floats(B * Tnew * Hkv * D), shape: [B, Tnew, Hkv, D] },
    };
    const run = (target: Backend): Record<string, Float32Array> =>
      withTensors(target, specs, (t) => target.writeKvCache({ ...t, offsets: Int32Array.from([0, 4]) }));
    const expected = run(referenceBackend());
    const actual = run(backend);
    // A copy: exact.
    expectClose(actual['keyCache']!, expected['keyCache']!, { atol: 0, rtol: 0 });
    expectClose(actual['valueCache']!, expected['valueCache']!, { atol: 0, rtol: 0 });
  });

  it('rejects bad head counts, lengths and offsets, naming the op and shapes', () => {
    const q = backend.zeros([1, 3, 3, 4]);
    const k = backend.zeros([1, 3, 2, 4]);
    expect(() =>
      backend.attention({
        q,
        k,
        v: backend.zeros([1, 3, 2, 4]),
        out: backend.zeros([1, 3, 3, 4]),
        logSumExp: backend.zeros([1, 3, 3]),
      }),
    ).toThrow(
      'attention: 3 query heads is not a multiple of 2 key/value heads for q [1, 3, 3, 4], k [1, 3, 2, 4]',
    );
    const cache = (): ReturnType<Backend['zeros']> => backend.zeros([2, 5, 1, 4]);
    expect(() =>
      backend.decodeAttention({
        q: backend.zeros([2, 2, 4]),
        keyCache: cache(),
        valueCache: cache(),
        lengths: Int32Array.from([0, 2]),
        out: backend.zeros([2, 2, 4]),
      }),
    ).toThrow('decodeAttention: lengths[0] = 0 is out of range [1, 6)');
    expect(() =>
      backend.decodeAttention({
        q: backend.zeros([2, 2, 4]),
        keyCache: cache(),
        valueCache: cache(),
        lengths: Int32Array.from([1, 6]),
        out: backend.zeros([2, 2, 4]),
      }),
    ).toThrow('decodeAttention: lengths[1] = 6 is out of range [1, 6)');
    expect(() =>
      backend.writeKvCache({
        keyCache: cache(),
        valueCache: cache(),
        k: backend.zeros([2, 2, 1, 4]),
        v: backend.zeros([2, 2, 1, 4]),
        offsets: Int32Array.from([3, 4]),
      }),
    ).toThrow('writeKvCache: offsets[1] = 4 is out of range [0, 4)');
  });
});

describe('attentionBackward finite differences (reference)', () => {
  it('dq, dk and dv are the gradients of L = Σ dOut ⊙ attention(q, k, v)', () => {
    const shape: Shape = { B: 1, T: 3, Hq: 2, Hkv: 1, D: 4 };
    const values = qkv(shape, 7);
    const gradients = attentionBackward(referenceBackend(), shape, values);
    const loss = (inputs: Partial<Record<'q' | 'k' | 'v', Float32Array>>): number =>
      weightedSum(attention(referenceBackend(), shape, { ...values, ...inputs }).out, values.dOut);
    // 24 outputs of size ≤ 1 rounded to f32, over 2h = 2e-3: ~1e-4.
    expectClose(
      gradients.dq,
      finiteDifference((point) => loss({ q: point }), values.q),
      { atol: 5e-4, rtol: 1e-3, label: 'dq' },
    );
    expectClose(
      gradients.dk,
      finiteDifference((point) => loss({ k: point }), values.k),
      { atol: 5e-4, rtol: 1e-3, label: 'dk' },
    );
    expectClose(
      gradients.dv,
      finiteDifference((point) => loss({ v: point }), values.v),
      { atol: 5e-4, rtol: 1e-3, label: 'dv' },
    );
  });
});
