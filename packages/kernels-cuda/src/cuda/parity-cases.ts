/**
 * Op parity cases for the cuda backend: each case builds the same inputs (a seeded generator) on a backend, runs
 * one op, and returns its outputs, so a runner compares `cuda` with `reference` at the case's tolerance
 * (|ref − out| ≤ atol + rtol·|ref|). 'small' shapes suit the CPU emulation (tests on every machine); 'large' ones
 * (scripts/gpu.mjs test on a GPU) cross the kernels' tile sizes many times.
 */
import type { Backend } from '../backend.js';
import type { DeviceDType, DeviceTensor } from '../device-tensor.js';
import { LAYER_CASES } from './parity-layer-cases.js';

export type ParitySize = 'small' | 'large';
export type ParityOutputs = Record<string, Float32Array | number>;

export interface ParityCase {
  name: string;
  /** Absolute and relative tolerance of every output: fp32 kernels against the reference's fp64 sums. */
  atol: number;
  rtol: number;
  run(context: ParityContext): ParityOutputs;
}

/** What a case builds its inputs with; every tensor it makes is disposed after the case. */
export class ParityContext {
  readonly backend: Backend;
  readonly size: ParitySize;
  #state: number;
  readonly #tensors: DeviceTensor[] = [];

  constructor(backend: Backend, size: ParitySize, seed: number) {
    this.backend = backend;
    this.size = size;
    this.#state = seed >>> 0 || 1;
  }

  /** Uniform in [−1, 1) times `scale` (xorshift32: the same sequence on every backend). */
  random(count: number, scale = 1): Float32Array {
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      this.#state ^= this.#state << 13;
      this.#state ^= this.#state >>> 17;
      this.#state ^= this.#state << 5;
      values[i] = ((this.#state >>> 0) / 2 ** 31 - 1) * scale;
    }
    return values;
  }

  integers(count: number, low: number, high: number): Int32Array {
    return Int32Array.from(this.random(count), (value) =>
      Math.min(high - 1, low + Math.floor(((value + 1) / 2) * (high - low))),
    );
  }

  tensor(shape: readonly number[], scale = 1, dtype: DeviceDType = 'f32'): DeviceTensor {
    return this.keep(
      this.backend.fromArray(
        this.random(
          shape.reduce((a, b) => a * b, 1),
          scale,
        ),
        shape,
        dtype,
      ),
    );
  }

  from(values: ArrayLike<number>, shape: readonly number[], dtype: DeviceDType = 'f32'): DeviceTensor {
    return this.keep(this.backend.fromArray(values, shape, dtype));
  }

  read(tensor: DeviceTensor): Float32Array {
    return this.backend.toArray(tensor);
  }

  pick<T>(small: T, large: T): T {
    return this.size === 'small' ? small : large;
  }

  dispose(): void {
    for (const tensor of this.#tensors) tensor.dispose();
  }

  private keep(tensor: DeviceTensor): DeviceTensor {
    this.#tensors.push(tensor);
    return tensor;
  }
}

const LINEAR_CASES: ParityCase[] = [
  {
    name: 'matmul (transposes, shared batch operand, alpha/beta)',
    atol: 1e-4,
    rtol: 1e-4,
    run(c: ParityContext): ParityOutputs {
      const [M, N, K] = c.pick([37, 45, 70], [300, 520, 1030]);
      const out = c.tensor([M, N]);
      c.backend.matmul(out, c.tensor([K, M]), c.tensor([N, K]), {
        transposeA: true,
        transposeB: true,
        alpha: 0.5,
        beta: 2,
      });
      const batchedA = c.tensor([3, M, N]);
      c.backend.matmul(batchedA, c.tensor([3, M, K]), c.tensor([K, N]));
      const batchedB = c.tensor([2, M, N]);
      c.backend.matmul(batchedB, c.tensor([M, K]), c.tensor([2, N, K]), { transposeB: true, beta: 1 });
      const nanOut = c.from(new Float32Array(M * N).fill(Number.NaN), [M, N]);
      c.backend.matmul(nanOut, c.tensor([M, K]), c.tensor([K, N]), { beta: 0 });
      return {
        transposed: c.read(out),
        batchedA: c.read(batchedA),
        batchedB: c.read(batchedB),
        betaZeroIgnoresNaN: c.read(nanOut),
      };
    },
  },
  {
    name: 'loraLinearForward (bias, dropout, shrink) and a plain linear layer',
    atol: 1e-4,
    rtol: 1e-4,
    run(c: ParityContext): ParityOutputs {
      const [T, inFeatures, outFeatures, r] = c.pick([40, 48, 36, 5], [512, 1024, 768, 16]);
      const out = c.tensor([T, outFeatures]);
      const shrink = c.tensor([T, r]);
      const x = c.tensor([T, inFeatures]);
      const weight = c.tensor([outFeatures, inFeatures], 0.2);
      const bias = c.tensor([outFeatures]);
      const loraA = c.tensor([r, inFeatures], 0.2);
      const loraB = c.tensor([outFeatures, r], 0.2);
      c.backend.loraLinearForward({
        x,
        weight,
        bias,
        loraA,
        loraB,
        scale: 1.5,
        dropout: { probability: 0.3, seed: 4_000_000_007 },
        out,
        shrink,
      });
      const plain = c.tensor([T, outFeatures]);
      c.backend.loraLinearForward({ x, weight, out: plain });
      return { out: c.read(out), shrink: c.read(shrink), plain: c.read(plain) };
    },
  },
  {
    name: 'loraLinearBackward (dropout, every gradient, accumulate)',
    atol: 2e-4,
    rtol: 1e-4,
    run(c: ParityContext): ParityOutputs {
      const [T, inFeatures, outFeatures, r] = c.pick([40, 48, 36, 5], [512, 1024, 768, 16]);
      const x = c.tensor([T, inFeatures]);
      const dy = c.tensor([T, outFeatures]);
      const weight = c.tensor([outFeatures, inFeatures], 0.2);
      const loraA = c.tensor([r, inFeatures], 0.2);
      const loraB = c.tensor([outFeatures, r], 0.2);
      const shrink = c.tensor([T, r]);
      const dropout = { probability: 0.25, seed: 12345 };
      c.backend.loraLinearForward({
        x,
        weight,
        loraA,
        loraB,
        scale: 2,
        dropout,
        out: c.tensor([T, outFeatures]),
        shrink,
      });
      const dx = c.tensor([T, inFeatures]);
      const [dA, dB, dWeight, dBias] = [
        c.tensor([r, inFeatures]),
        c.tensor([outFeatures, r]),
        c.tensor([outFeatures, inFeatures]),
        c.tensor([outFeatures]),
      ];
      c.backend.loraLinearBackward({
        dy,
        x,
        weight,
        loraA,
        loraB,
        scale: 2,
        dropout,
        shrink,
        dx,
        dA,
        dB,
        dWeight,
        dBias,
        accumulate: true,
      });
      return {
        dx: c.read(dx),
        dA: c.read(dA),
        dB: c.read(dB),
        dWeight: c.read(dWeight),
        dBias: c.read(dBias),
      };
    },
  },
  {
    name: 'loraMultiForward and loraSegmentedForward (ranks 1–8, rows without adapter)',
    atol: 1e-4,
    rtol: 1e-4,
    run(c: ParityContext): ParityOutputs {
      const [T, inFeatures, outFeatures] = c.pick([70, 40, 33], [512, 1024, 1024]);
      const ranks = [3, 8, 1, 5];
      const adapters = ranks.map((r, i) => ({
        loraA: c.tensor([r, inFeatures], 0.3),
        loraB: c.tensor([outFeatures, r], 0.3),
        scale: 0.5 + i,
      }));
      const x = c.tensor([T, inFeatures]);
      const weight = c.tensor([outFeatures, inFeatures], 0.2);
      const bias = c.tensor([outFeatures]);
      const rowAdapter = c.integers(T, -1, adapters.length);
      const gathered = c.tensor([T, outFeatures]);
      c.backend.loraMultiForward({ x, weight, bias, adapters, rowAdapter, out: gathered });
      // One long segment (GEMM path), short ones (gather path), and rows no segment covers.
      const long = c.pick(40, 300);
      const segments = [
        { start: 0, length: long, adapter: 1 },
        { start: long + 2, length: 5, adapter: 3 },
        { start: long + 9, length: 7, adapter: -1 },
        { start: long + 16, length: T - long - 20, adapter: 0 },
      ];
      const segmented = c.tensor([T, outFeatures]);
      c.backend.loraSegmentedForward({ x, weight, adapters, segments, out: segmented });
      return { gathered: c.read(gathered), segmented: c.read(segmented) };
    },
  },
  {
    name: 'merge (both layouts) and cast (f32/f16/bf16, round to nearest even, specials)',
    atol: 1e-5,
    rtol: 1e-5,
    run(c: ParityContext): ParityOutputs {
      const [outFeatures, inFeatures, r] = c.pick([20, 30, 4], [1024, 2048, 16]);
      const loraA = c.tensor([r, inFeatures]);
      const loraB = c.tensor([outFeatures, r]);
      const weight = c.tensor([outFeatures, inFeatures]);
      const transposed = c.tensor([inFeatures, outFeatures]);
      c.backend.merge({ weight, loraA, loraB, scale: 0.75 });
      c.backend.merge({ weight: transposed, loraA, loraB, scale: -2, fanInFanOut: true });
      const specials = [
        0,
        -0,
        1,
        -1.5,
        65504,
        65520,
        1e-8,
        5.96e-8,
        2.98e-8,
        1 + 2 ** -11,
        1 + 3 * 2 ** -11,
        3.4e38,
        Infinity,
        -Infinity,
        Number.NaN,
        1 + 2 ** -8,
        1 + 3 * 2 ** -8,
      ];
      const values = [...specials, ...c.random(c.pick(100, 100_000), 1000)];
      const outputs: ParityOutputs = { merged: c.read(weight), mergedFanInFanOut: c.read(transposed) };
      for (const from of ['f32', 'f16', 'bf16'] as const) {
        const source = c.from(values, [values.length], from);
        for (const to of ['f32', 'f16', 'bf16'] as const) {
          const target = c.from(new Float32Array(values.length), [values.length], to);
          c.backend.cast(target, source);
          // NaN stays NaN but may not compare equal: replace by a sentinel for the comparison.
          outputs[`cast ${from}→${to}`] = c
            .read(target)
            .map((value) => (Number.isNaN(value) ? 12345 : value));
        }
      }
      return outputs;
    },
  },
];

export const PARITY_CASES: readonly ParityCase[] = [...LINEAR_CASES, ...LAYER_CASES];

/** The worst violation of |expected − actual| ≤ atol + rtol·|expected|, or undefined when all agree. */
export function worstMismatch(
  expected: Float32Array | number,
  actual: Float32Array | number,
  atol: number,
  rtol: number,
): string | undefined {
  const e = typeof expected === 'number' ? Float32Array.of(expected) : expected;
  const a = typeof actual === 'number' ? Float32Array.of(actual) : actual;
  if (e.length !== a.length) return `length ${a.length}, expected ${e.length}`;
  let worst: string | undefined;
  let worstExcess = 0;
  for (let i = 0; i < e.length; i++) {
    const want = e[i] as number;
    const got = a[i] as number;
    if (want === got || (Number.isNaN(want) && Number.isNaN(got))) continue;
    const excess = Math.abs(want - got) - (atol + rtol * Math.abs(want));
    if (!(excess <= 0) && (worst === undefined || !(excess <= worstExcess))) {
      worstExcess = excess;
      worst = `index ${i}: ${got}, expected ${want} (|Δ| = ${Math.abs(want - got)})`;
    }
  }
  return worst;
}
