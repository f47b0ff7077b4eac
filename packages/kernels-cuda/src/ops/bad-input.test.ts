/**
 * Every op on every backend refuses a disposed tensor and a tensor of another backend in any argument position,
 * with a typed error naming the op and the argument, before any kernel runs (never a crash or a wrong answer).
 */
import { isLorakitError } from '@lorakit/core';
import type { LorakitError } from '@lorakit/core';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import type { DeviceDType, DeviceTensor } from '../device-tensor.js';
import { HostTensor } from '../host-tensor.js';
import { backendsPresent } from '../testing/index.js';

const backends = await backendsPresent();

type Tensors = Record<string, DeviceTensor>;

interface OpCase {
  op: string;
  shapes: Record<string, readonly number[] | { shape: readonly number[]; dtype: DeviceDType }>;
  call: (backend: Backend, t: Tensors) => unknown;
}

/** Shorthand: the tensor of that name (the cases only name tensors they declared). */
const at = (t: Tensors, name: string): DeviceTensor => t[name] as DeviceTensor;

const CASES: OpCase[] = [
  {
    op: 'matmul',
    shapes: { a: [2, 3], b: [3, 4], out: [2, 4] },
    call: (b, t) => b.matmul(at(t, 'out'), at(t, 'a'), at(t, 'b')),
  },
  {
    op: 'loraLinearForward',
    shapes: {
      x: [2, 4],
      weight: [3, 4],
      bias: [3],
      loraA: [2, 4],
      loraB: [3, 2],
      out: [2, 3],
      shrink: [2, 2],
    },
    call: (b, t) =>
      b.loraLinearForward({
        x: at(t, 'x'),
        weight: at(t, 'weight'),
        bias: at(t, 'bias'),
        loraA: at(t, 'loraA'),
        loraB: at(t, 'loraB'),
        out: at(t, 'out'),
        shrink: at(t, 'shrink'),
      }),
  },
  {
    op: 'loraLinearBackward',
    shapes: {
      dy: [2, 3],
      x: [2, 4],
      weight: [3, 4],
      loraA: [2, 4],
      loraB: [3, 2],
      shrink: [2, 2],
      dx: [2, 4],
      dA: [2, 4],
      dB: [3, 2],
      dWeight: [3, 4],
      dBias: [3],
    },
    call: (b, t) =>
      b.loraLinearBackward({
        dy: at(t, 'dy'),
        x: at(t, 'x'),
        weight: at(t, 'weight'),
        loraA: at(t, 'loraA'),
        loraB: at(t, 'loraB'),
        shrink: at(t, 'shrink'),
        dx: at(t, 'dx'),
        dA: at(t, 'dA'),
        dB: at(t, 'dB'),
        dWeight: at(t, 'dWeight'),
        dBias: at(t, 'dBias'),
      }),
  },
  {
    op: 'loraMultiForward',
    shapes: { x: [2, 4], weight: [3, 4], bias: [3], loraA: [2, 4], loraB: [3, 2], out: [2, 3] },
    call: (b, t) =>
      b.loraMultiForward({
        x: at(t, 'x'),
        weight: at(t, 'weight'),
        bias: at(t, 'bias'),
        adapters: [{ loraA: at(t, 'loraA'), loraB: at(t, 'loraB'), scale: 1 }],
        rowAdapter: Int32Array.from([0, -1]),
        out: at(t, 'out'),
      }),
  },
  {
    op: 'loraSegmentedForward',
    shapes: { x: [2, 4], weight: [3, 4], loraA: [2, 4], loraB: [3, 2], out: [2, 3] },
    call: (b, t) =>
      b.loraSegmentedForward({
        x: at(t, 'x'),
        weight: at(t, 'weight'),
        adapters: [{ loraA: at(t, 'loraA'), loraB: at(t, 'loraB'), scale: 1 }],
        segments: [{ start: 0, length: 1, adapter: 0 }],
        out: at(t, 'out'),
      }),
  },
  {
    op: 'embedding',
    shapes: { out: [2, 4], table: [5, 4] },
    call: (b, t) => b.embedding(at(t, 'out'), at(t, 'table'), Int32Array.from([1, 4])),
  },
  {
    op: 'embeddingBackward',
    shapes: { dTable: [5, 4], dy: [2, 4] },
    call: (b, t) => b.embeddingBackward(at(t, 'dTable'), at(t, 'dy'), Int32Array.from([1, 1])),
  },
  {
    op: 'rmsNorm',
    shapes: { out: [2, 4], x: [2, 4], weight: [4], rstd: [2] },
    call: (b, t) => b.rmsNorm(at(t, 'out'), at(t, 'x'), at(t, 'weight'), 1e-5, at(t, 'rstd')),
  },
  {
    op: 'rmsNormBackward',
    shapes: { dx: [2, 4], dy: [2, 4], x: [2, 4], weight: [4], rstd: [2], dWeight: [4] },
    call: (b, t) =>
      b.rmsNormBackward({
        dx: at(t, 'dx'),
        dy: at(t, 'dy'),
        x: at(t, 'x'),
        weight: at(t, 'weight'),
        rstd: at(t, 'rstd'),
        dWeight: at(t, 'dWeight'),
      }),
  },
  {
    op: 'rope',
    shapes: { x: [2, 1, 4] },
    call: (b, t) => b.rope({ x: at(t, 'x'), positions: Int32Array.from([0, 1]), theta: 10_000 }),
  },
  {
    op: 'attention',
    shapes: { q: [1, 2, 2, 4], k: [1, 2, 1, 4], v: [1, 2, 1, 4], out: [1, 2, 2, 4], logSumExp: [1, 2, 2] },
    call: (b, t) =>
      b.attention({
        q: at(t, 'q'),
        k: at(t, 'k'),
        v: at(t, 'v'),
        out: at(t, 'out'),
        logSumExp: at(t, 'logSumExp'),
      }),
  },
  {
    op: 'attentionBackward',
    shapes: {
      dOut: [1, 2, 2, 4],
      q: [1, 2, 2, 4],
      k: [1, 2, 1, 4],
      v: [1, 2, 1, 4],
      out: [1, 2, 2, 4],
      logSumExp: [1, 2, 2],
      dq: [1, 2, 2, 4],
      dk: [1, 2, 1, 4],
      dv: [1, 2, 1, 4],
    },
    call: (b, t) =>
      b.attentionBackward({
        dOut: at(t, 'dOut'),
        q: at(t, 'q'),
        k: at(t, 'k'),
        v: at(t, 'v'),
        out: at(t, 'out'),
        logSumExp: at(t, 'logSumExp'),
        dq: at(t, 'dq'),
        dk: at(t, 'dk'),
        dv: at(t, 'dv'),
      }),
  },
  {
    op: 'decodeAttention',
    shapes: { q: [1, 2, 4], keyCache: [1, 3, 1, 4], valueCache: [1, 3, 1, 4], out: [1, 2, 4] },
    call: (b, t) =>
      b.decodeAttention({
        q: at(t, 'q'),
        keyCache: at(t, 'keyCache'),
        valueCache: at(t, 'valueCache'),
        lengths: Int32Array.from([2]),
        out: at(t, 'out'),
      }),
  },
  {
    op: 'writeKvCache',
    shapes: { keyCache: [1, 3, 1, 4], valueCache: [1, 3, 1, 4], k: [1, 1, 1, 4], v: [1, 1, 1, 4] },
    call: (b, t) =>
      b.writeKvCache({
        keyCache: at(t, 'keyCache'),
        valueCache: at(t, 'valueCache'),
        k: at(t, 'k'),
        v: at(t, 'v'),
        offsets: Int32Array.from([2]),
      }),
  },
  {
    op: 'siluMul',
    shapes: { out: [2, 3], gate: [2, 3], up: [2, 3] },
    call: (b, t) => b.siluMul(at(t, 'out'), at(t, 'gate'), at(t, 'up')),
  },
  {
    op: 'siluMulBackward',
    shapes: { dGate: [2, 3], dUp: [2, 3], dy: [2, 3], gate: [2, 3], up: [2, 3] },
    call: (b, t) =>
      b.siluMulBackward({
        dGate: at(t, 'dGate'),
        dUp: at(t, 'dUp'),
        dy: at(t, 'dy'),
        gate: at(t, 'gate'),
        up: at(t, 'up'),
      }),
  },
  {
    op: 'crossEntropy',
    shapes: { logits: [2, 5], losses: [2], dLogits: [2, 5] },
    call: (b, t) =>
      b.crossEntropy({
        logits: at(t, 'logits'),
        targets: Int32Array.from([1, 4]),
        losses: at(t, 'losses'),
        dLogits: at(t, 'dLogits'),
      }),
  },
  {
    op: 'adamw',
    shapes: { param: [3], grad: [3], m: [3], v: [3] },
    call: (b, t) =>
      b.adamw({
        param: at(t, 'param'),
        grad: at(t, 'grad'),
        m: at(t, 'm'),
        v: at(t, 'v'),
        step: 1,
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: 0,
      }),
  },
  {
    op: 'sumOfSquares',
    shapes: { 'tensors[0]': [3], 'tensors[1]': [2] },
    call: (b, t) => b.sumOfSquares([at(t, 'tensors[0]'), at(t, 'tensors[1]')]),
  },
  { op: 'scale', shapes: { x: [3] }, call: (b, t) => b.scale(at(t, 'x'), 2) },
  {
    op: 'add',
    shapes: { out: [3], a: [3], b: [3] },
    call: (b, t) => b.add(at(t, 'out'), at(t, 'a'), at(t, 'b')),
  },
  {
    op: 'merge',
    shapes: { weight: [3, 4], loraA: [2, 4], loraB: [3, 2] },
    call: (b, t) =>
      b.merge({ weight: at(t, 'weight'), loraA: at(t, 'loraA'), loraB: at(t, 'loraB'), scale: 1 }),
  },
  {
    op: 'cast',
    shapes: { out: { shape: [3], dtype: 'bf16' }, x: [3] },
    call: (b, t) => b.cast(at(t, 'out'), at(t, 'x')),
  },
];

function thrown(action: () => unknown): LorakitError {
  try {
    action();
  } catch (error) {
    if (isLorakitError(error)) return error;
    throw error;
  }
  throw new Error('expected an error, none was thrown');
}

describe.each(backends)('bad input on $name', (backend: Backend) => {
  const foreignName = backend.name === 'reference' ? 'cpu' : 'reference';
  it.each(CASES)('$op refuses disposed and foreign tensors in every position', ({ op, shapes, call }) => {
    const make = (): Tensors =>
      Object.fromEntries(
        Object.entries(shapes).map(([name, spec]) => [
          name,
          'shape' in spec ? backend.zeros(spec.shape, spec.dtype) : backend.zeros(spec),
        ]),
      );
    const valid = make();
    expect(() => call(backend, valid)).not.toThrow();
    for (const name of Object.keys(shapes)) {
      const disposed = make();
      at(disposed, name).dispose();
      const disposedError = thrown(() => call(backend, disposed));
      expect(disposedError.code).toBe('TENSOR_DISPOSED');
      expect(disposedError.message).toContain(`${op}: `);
      expect(disposedError.message).toContain(name);
      const foreign = make();
      const original = at(foreign, name);
      foreign[name] = new HostTensor(foreignName, original.shape, original.dtype);
      const foreignError = thrown(() => call(backend, foreign));
      expect(foreignError.code).toBe('BACKEND_MISMATCH');
      expect(foreignError.message).toContain(`${op}: `);
      expect(foreignError.message).toContain(`belongs to the ${foreignName} backend`);
    }
  });
});
