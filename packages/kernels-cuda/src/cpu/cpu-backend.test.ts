/**
 * The cpu backend as a whole: it is complete (every op, native or reference), its results do not depend on the
 * thread count, and bad input is a typed error — from the TypeScript validators, or, for a caller that bypasses
 * them, from the addon's own length checks — never a crash. Skipped, with the reason printed, when the addon is
 * not built.
 */
import { BackendError, LorakitError } from '@lorakit/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { loadNative } from '../native/load-native.js';
import type { NativeModule } from '../native/native-module.js';
import { referenceBackend, SeededRandom } from '../testing/index.js';
import { createCpuBackend } from './cpu-backend.js';
import { OP_NAMES } from './native-op-names.js';
import { referenceFallback } from './reference-fallback.js';

const loaded = loadNative();
if ('unavailable' in loaded) console.info(`[cpu tests] skipped: ${loaded.unavailable}`);
const native: NativeModule | undefined = 'module' in loaded ? loaded.module : undefined;

describe.skipIf(!native)('cpu backend', () => {
  const initialThreads = native?.threadCount() ?? 1;
  afterAll(() => {
    native?.setThreadCount(initialThreads);
  });

  it('is complete, named cpu, and describes itself', () => {
    const cpu = createCpuBackend();
    for (const name of OP_NAMES) expect(typeof cpu[name]).toBe('function');
    expect(cpu.name).toBe('cpu');
    expect(cpu.description).toMatch(/^cpu: AVX2\/FMA(, AVX-512 GEMM)?, \d+ threads?/);
  });

  it('gives bit-identical results on 1 and 2 threads (matmul, fused LoRA, multi-adapter), with each GEMM kernel', () => {
    const random = new SeededRandom(42);
    const [T, IN, OUT, R] = [70, 900, 130, 8];
    const x = random.floats(T * IN);
    const weight = random.floats(OUT * IN, -0.5, 0.5);
    const loraA = random.floats(R * IN, -0.5, 0.5);
    const loraB = random.floats(OUT * R, -0.5, 0.5);
    const dy = random.floats(T * OUT);
    const rowAdapter = Int32Array.from({ length: T }, (_, t) => (t < 20 ? 0 : t % 3 === 0 ? -1 : 1));
    const run = (threads: number): Float32Array[] => {
      const cpu = createCpuBackend({ threads });
      const tensor = (values: Float32Array, shape: number[]): ReturnType<Backend['fromArray']> =>
        cpu.fromArray(values, shape);
      const [tx, tw, ta, tb, tdy] = [
        tensor(x, [T, IN]),
        tensor(weight, [OUT, IN]),
        tensor(loraA, [R, IN]),
        tensor(loraB, [OUT, R]),
        tensor(dy, [T, OUT]),
      ];
      const [product, out, shrink, dx, dA, dB, multi] = [
        cpu.zeros([T, OUT]),
        cpu.zeros([T, OUT]),
        cpu.zeros([T, R]),
        cpu.zeros([T, IN]),
        cpu.zeros([R, IN]),
        cpu.zeros([OUT, R]),
        cpu.zeros([T, OUT]),
      ];
      cpu.matmul(product, tx, tw, { transposeB: true });
      const common = {
        x: tx,
        weight: tw,
        loraA: ta,
        loraB: tb,
        scale: 2,
        dropout: { probability: 0.1, seed: 3 },
      };
      cpu.loraLinearForward({ ...common, out, shrink });
      cpu.loraLinearBackward({ ...common, dy: tdy, shrink, dx, dA, dB });
      const adapters = [
        { loraA: ta, loraB: tb, scale: 1 },
        { loraA: ta, loraB: tb, scale: -0.5 },
      ];
      cpu.loraMultiForward({ x: tx, weight: tw, adapters, rowAdapter, out: multi });
      const results = [product, out, shrink, dx, dA, dB, multi].map((t) => cpu.toArray(t));
      for (const t of [tx, tw, ta, tb, tdy, product, out, shrink, dx, dA, dB, multi]) t.dispose();
      return results;
    };
    const one = run(1);
    const two = run(2);
    // Exact equality: each element is summed in the same order whatever the split.
    one.forEach((values, index) =>
      expect(Array.from(two[index] as Float32Array)).toEqual(Array.from(values)),
    );
  });

  it('rejects a disposed tensor, a wrong shape and a tensor of another backend with typed errors', () => {
    const cpu = createCpuBackend();
    const a = cpu.zeros([3, 4]);
    const b = cpu.zeros([4, 5]);
    const out = cpu.zeros([3, 5]);
    const wrong = cpu.zeros([5, 5]);
    const foreign = referenceBackend().zeros([4, 5]);
    expect(() => cpu.matmul(out, a, wrong)).toThrowError(/matmul: inner dimensions differ/);
    expect(() => cpu.matmul(out, a, foreign)).toThrowError(BackendError);
    b.dispose();
    try {
      cpu.matmul(out, a, b);
      expect.unreachable('a disposed tensor was accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(LorakitError);
      expect((error as LorakitError).code).toBe('TENSOR_DISPOSED');
    }
    const x = cpu.zeros([2, 4]);
    const weight = cpu.zeros([6, 4]);
    const loraA = cpu.zeros([2, 4]);
    const loraB = cpu.zeros([6, 2]);
    const y = cpu.zeros([2, 6]);
    expect(() =>
      cpu.loraMultiForward({
        x,
        weight,
        adapters: [{ loraA, loraB, scale: 1 }],
        rowAdapter: Int32Array.of(0, 1),
        out: y,
      }),
    ).toThrowError(/loraMultiForward: rowAdapter\[1\] = 1 is out of range/);
    expect(() => cpu.loraLinearForward({ x, weight, loraA, loraB: cpu.zeros([6, 3]), out: y })).toThrowError(
      /loraB has shape \[6, 3\], expected \[6, 2\]/,
    );
  });

  it('runs a reference op on cpu tensors in place when the addon lacks it (the fallback)', () => {
    const cpu = createCpuBackend();
    const random = new SeededRandom(9);
    const x = cpu.fromArray(random.floats(12), [3, 4]);
    const weight = cpu.fromArray(random.floats(4), [4]);
    const [viaNative, viaFallback] = [cpu.zeros([3, 4]), cpu.zeros([3, 4])];
    cpu.rmsNorm(viaNative, x, weight, 1e-6);
    const rmsNorm = referenceFallback(referenceBackend(), 'rmsNorm');
    rmsNorm(viaFallback, x, weight, 1e-6);
    // The native kernel and the fp64 reference agree to f32 rounding.
    const [expected, actual] = [cpu.toArray(viaNative), cpu.toArray(viaFallback)];
    actual.forEach((value, index) =>
      expect(Math.abs(value - (expected[index] as number))).toBeLessThanOrEqual(
        1e-6 + 1e-6 * Math.abs(value),
      ),
    );
    // add(out = a): one view per tensor keeps the documented alias an alias.
    const before = cpu.toArray(x);
    referenceFallback(referenceBackend(), 'add')(x, x, viaNative);
    const sums = cpu.toArray(viaNative).map((value, index) => value + (before[index] as number));
    expect(Array.from(cpu.toArray(x))).toEqual(Array.from(sums));
    expect(() => rmsNorm(viaFallback, x, referenceBackend().zeros([4]), 1e-6)).toThrowError(
      /rmsNorm: a tensor \[4\] belongs to the reference backend, not cpu/,
    );
    weight.dispose();
    expect(() => rmsNorm(viaFallback, x, weight, 1e-6)).toThrowError(
      /rmsNorm: a tensor \[4\] was used after dispose/,
    );
  });

  it('checks lengths natively when the TypeScript checks are bypassed', () => {
    const addon = native as NativeModule;
    const small = new Float32Array(5);
    expect(() =>
      addon.matmul(new Float32Array(6), small, new Float32Array(6), 1, 2, 3, 3, 0, 0, false, false, 1, 0),
    ).toThrowError(/a has 5 elements, expected 6 \(native check\)/);
    expect(() =>
      addon.loraLinearForward(small, small, null, null, null, small, null, 2, 3, 4, 0, 1, 0, 0),
    ).toThrowError(/\(native check\)/);
    const x = new Float32Array(2 * 3);
    const weight = new Float32Array(4 * 3);
    const out = new Float32Array(2 * 4);
    const adapterA = new Float32Array(1 * 3);
    const adapterB = new Float32Array(4 * 1);
    expect(() =>
      addon.loraMultiForward(
        x,
        weight,
        null,
        [adapterA],
        [adapterB],
        Int32Array.of(1),
        Float32Array.of(1),
        Int32Array.of(0, 7),
        out,
        2,
        3,
        4,
      ),
    ).toThrowError(/rowAdapter\[1\] = 7 is out of range \(native check\)/);
    expect(() =>
      addon.loraSegmentedForward(
        x,
        weight,
        null,
        [adapterA],
        [adapterB],
        Int32Array.of(1),
        Float32Array.of(1),
        Int32Array.of(1, 5, 0),
        out,
        2,
        3,
        4,
      ),
    ).toThrowError(/out of range \(native check\)/);
    expect(() =>
      addon.loraMultiForward(
        x,
        weight,
        null,
        [adapterA],
        [new Float32Array(3)],
        Int32Array.of(1),
        Float32Array.of(1),
        Int32Array.of(0, 0),
        out,
        2,
        3,
        4,
      ),
    ).toThrowError(/adapter 0 loraB has 3 elements, expected 4 \(native check\)/);
  });
});
