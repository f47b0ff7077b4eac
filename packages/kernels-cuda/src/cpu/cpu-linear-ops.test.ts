/**
 * The cpu backend's GEMM-based ops against the reference, on shapes chosen to hit the native kernel's edges:
 * 1×1×1, sizes that are not multiples of the 6×16 micro-tile, K longer than one K block (384), row counts past
 * one row block, transposes, batches, alpha/beta; LoRA with dropout, accumulation and several ranks.
 * Skipped, with the reason printed, when the addon is not built.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Backend } from '../backend.js';
import type { DeviceTensor } from '../device-tensor.js';
import { loadNative } from '../native/load-native.js';
import type { DropoutOptions, MatmulOptions } from '../ops.js';
import { expectClose, referenceBackend, SeededRandom, withTensors } from '../testing/index.js';
import type { TensorSpec } from '../testing/index.js';
import { createCpuBackend } from './cpu-backend.js';

const loaded = loadNative();
if ('unavailable' in loaded) console.info(`[cpu tests] skipped: ${loaded.unavailable}`);
const available = !('unavailable' in loaded);
const cpu: Backend | undefined = available ? createCpuBackend() : undefined;
// Every suite runs with each GEMM micro-kernel this CPU has (AVX2 always; AVX-512 where supported).
const kernels =
  'module' in loaded
    ? (['avx2', 'avx512'] as const).filter(
        (kernel) => kernel === 'avx2' || loaded.module.cpuFeatures().avx512f,
      )
    : [];

/** Runs `suite` once per GEMM kernel, selecting it for the duration. */
function forEachKernel(title: string, suite: () => void): void {
  for (const kernel of kernels) {
    describe(`${title} [${kernel} GEMM]`, () => {
      let previous: 'avx2' | 'avx512' = 'avx2';
      beforeAll(() => {
        if ('module' in loaded) {
          previous = loaded.module.gemmKernel();
          loaded.module.setGemmKernel(kernel);
        }
      });
      afterAll(() => {
        if ('module' in loaded) loaded.module.setGemmKernel(previous);
      });
      suite();
    });
  }
}

/** Runs `body` on the reference and on cpu with the same inputs; returns both results. */
function both<Names extends string>(
  specs: Readonly<Record<Names, TensorSpec>>,
  body: (backend: Backend, tensors: Record<Names, DeviceTensor>) => void,
): { expected: Record<Names, Float32Array>; actual: Record<Names, Float32Array> } {
  const reference = referenceBackend();
  const expected = withTensors(reference, specs, (tensors) => body(reference, tensors));
  const actual = withTensors(cpu as Backend, specs, (tensors) => body(cpu as Backend, tensors));
  return { expected, actual };
}

forEachKernel('cpu matmul against the reference', () => {
  const cases: [string, number, number, number][] = [
    ['1×1×1', 1, 1, 1],
    ['7×13×5', 7, 13, 5],
    ['one micro-tile 6×16×8', 6, 16, 8],
    ['edges in every dimension 37×50×1000 (three K blocks)', 37, 50, 1000],
    ['more rows than a row block 150×33×20', 150, 33, 20],
    ['a single column 5×1×300', 5, 1, 300],
  ];
  for (const [name, M, N, K] of cases) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`${name}, transposeA ${transposeA}, transposeB ${transposeB}, alpha 0.5, beta −2`, () => {
          const random = new SeededRandom(M * 1000 + N * 10 + K);
          const options: MatmulOptions = { transposeA, transposeB, alpha: 0.5, beta: -2 };
          const { expected, actual } = both(
            {
              a: { values: random.floats(M * K), shape: transposeA ? [K, M] : [M, K] },
              b: { values: random.floats(K * N), shape: transposeB ? [N, K] : [K, N] },
              out: { values: random.floats(M * N), shape: [M, N] },
            },
            (backend, t) => backend.matmul(t.out, t.a, t.b, options),
          );
          // fp32 sums of K products of values in [−1, 1] against fp64: error grows like √K·ulp.
          expectClose(actual.out, expected.out, {
            atol: 2e-6 * Math.sqrt(K) + 1e-6,
            rtol: 1e-5,
            label: `matmul ${name}`,
            shape: [M, N],
          });
        });
      }
    }
  }

  it('batched (3-D a and b) and a shared 2-D b, with beta = 0 ignoring NaN in out', () => {
    const random = new SeededRandom(7);
    const [batch, M, N, K] = [3, 9, 20, 17];
    const { expected, actual } = both(
      {
        a: { values: random.floats(batch * M * K), shape: [batch, M, K] },
        b: { values: random.floats(batch * K * N), shape: [batch, K, N] },
        shared: { values: random.floats(N * K), shape: [N, K] },
        out: { values: new Float32Array(batch * M * N).fill(Number.NaN), shape: [batch, M, N] },
        outShared: [batch, M, N],
      },
      (backend, t) => {
        backend.matmul(t.out, t.a, t.b);
        backend.matmul(t.outShared, t.a, t.shared, { transposeB: true });
      },
    );
    expectClose(actual.out, expected.out, { atol: 1e-5, rtol: 1e-5, label: 'batched matmul' });
    expectClose(actual.outShared, expected.outShared, {
      atol: 1e-5,
      rtol: 1e-5,
      label: 'batched matmul with shared b',
    });
  });
});

/** x [T, in], W [out, in], b [out], A [r, in], B [out, r], dy [T, out] with seeded values. */
function layer(
  T: number,
  inFeatures: number,
  outFeatures: number,
  r: number,
  seed: number,
): Record<'x' | 'weight' | 'bias' | 'loraA' | 'loraB' | 'dy', TensorSpec> {
  const random = new SeededRandom(seed);
  return {
    x: { values: random.floats(T * inFeatures), shape: [T, inFeatures] },
    weight: { values: random.floats(outFeatures * inFeatures, -0.5, 0.5), shape: [outFeatures, inFeatures] },
    bias: { values: random.floats(outFeatures), shape: [outFeatures] },
    loraA: { values: random.floats(r * inFeatures, -0.5, 0.5), shape: [r, inFeatures] },
    loraB: { values: random.floats(outFeatures * r, -0.5, 0.5), shape: [outFeatures, r] },
    dy: { values: random.floats(T * outFeatures), shape: [T, outFeatures] },
  };
}

forEachKernel('cpu fused LoRA linear against the reference', () => {
  const shapes: [number, number, number, number][] = [
    [1, 1, 1, 1],
    [13, 37, 29, 5],
    [20, 400, 50, 16],
  ];
  for (const [T, IN, OUT, R] of shapes) {
    for (const dropout of [undefined, { probability: 0.25, seed: 99 }] as (DropoutOptions | undefined)[]) {
      const label = `[T=${T}, ${IN}→${OUT}, r=${R}]${dropout ? ' with dropout' : ''}`;
      // fp32 GEMMs over K = in (+ r) against fp64 loops.
      const tolerance = { atol: 2e-6 * Math.sqrt(IN + OUT) + 1e-6, rtol: 1e-5 };

      it(`forward ${label}`, () => {
        const { expected, actual } = both(
          { ...layer(T, IN, OUT, R, T + IN), out: [T, OUT], shrink: [T, R] },
          (backend, t) =>
            backend.loraLinearForward({
              x: t.x,
              weight: t.weight,
              bias: t.bias,
              loraA: t.loraA,
              loraB: t.loraB,
              out: t.out,
              shrink: t.shrink,
              scale: 1.5,
              ...(dropout ? { dropout } : {}),
            }),
        );
        expectClose(actual.shrink, expected.shrink, { ...tolerance, label: `shrink ${label}` });
        expectClose(actual.out, expected.out, { ...tolerance, label: `out ${label}` });
      });

      it(`backward ${label}, accumulating into every gradient`, () => {
        const random = new SeededRandom(T * 7 + 1);
        const start = (shape: number[]): TensorSpec => ({
          values: random.floats(shape.reduce((p, d) => p * d, 1)),
          shape,
        });
        const { expected, actual } = both(
          {
            ...layer(T, IN, OUT, R, T + OUT),
            shrink: [T, R],
            out: [T, OUT],
            dx: [T, IN],
            dA: start([R, IN]),
            dB: start([OUT, R]),
            dWeight: start([OUT, IN]),
            dBias: start([OUT]),
          },
          (backend, t) => {
            const common = {
              x: t.x,
              weight: t.weight,
              loraA: t.loraA,
              loraB: t.loraB,
              scale: 0.75,
              ...(dropout ? { dropout } : {}),
            };
            backend.loraLinearForward({ ...common, bias: t.bias, out: t.out, shrink: t.shrink });
            backend.loraLinearBackward({
              ...common,
              dy: t.dy,
              shrink: t.shrink,
              dx: t.dx,
              dA: t.dA,
              dB: t.dB,
              dWeight: t.dWeight,
              dBias: t.dBias,
              accumulate: true,
            });
          },
        );
        for (const name of ['dx', 'dA', 'dB', 'dWeight', 'dBias'] as const) {
          // dA, dB, dWeight and dBias sum over T tokens.
          expectClose(actual[name], expected[name], {
            atol: tolerance.atol + 2e-6 * Math.sqrt(T),
            rtol: 1e-5,
            label: `${name} ${label}`,
          });
        }
      });
    }
  }

  it('a plain linear layer (no adapter) and an adapter with scale 0', () => {
    const { expected, actual } = both(
      { ...layer(9, 21, 19, 3, 5), out: [9, 19], zeroScaled: [9, 19], shrink: [9, 3] },
      (backend, t) => {
        backend.loraLinearForward({ x: t.x, weight: t.weight, bias: t.bias, out: t.out });
        backend.loraLinearForward({
          x: t.x,
          weight: t.weight,
          loraA: t.loraA,
          loraB: t.loraB,
          scale: 0,
          out: t.zeroScaled,
          shrink: t.shrink,
        });
      },
    );
    expectClose(actual.out, expected.out, { atol: 1e-5, rtol: 1e-5, label: 'plain linear' });
    expectClose(actual.zeroScaled, expected.zeroScaled, { atol: 1e-5, rtol: 1e-5, label: 'scale 0' });
    expectClose(actual.shrink, expected.shrink, { atol: 1e-5, rtol: 1e-5, label: 'shrink with scale 0' });
  });
});

forEachKernel('cpu multi-adapter LoRA against the reference', () => {
  // Ranks differ (each adapter runs at its own rank); scales differ.
  const ranks = [3, 8, 1, 17];
  // in = 700 gives two K blocks; out = 100 splits over two threads.
  const [IN, OUT] = [700, 100];

  function adapterSpecs(random: SeededRandom): Record<string, TensorSpec> {
    const specs: Record<string, TensorSpec> = {};
    ranks.forEach((r, index) => {
      specs[`A${index}`] = { values: random.floats(r * IN, -0.5, 0.5), shape: [r, IN] };
      specs[`B${index}`] = { values: random.floats(OUT * r, -0.5, 0.5), shape: [OUT, r] };
    });
    return specs;
  }
  const slots = (
    t: Record<string, DeviceTensor>,
  ): { loraA: DeviceTensor; loraB: DeviceTensor; scale: number }[] =>
    ranks.map((_, index) => ({
      loraA: t[`A${index}`] as DeviceTensor,
      loraB: t[`B${index}`] as DeviceTensor,
      scale: 0.5 + index,
    }));

  // 12 rows take the few-rows (unpacked) GEMM, 80 rows the packed one over both threads; scattered rows stream
  // their adapters (small-group kernels) and a contiguous run of 20 rows of one adapter joins the base GEMM as
  // extra K columns.
  for (const T of [12, 80]) {
    it(`gather form, ${T} rows: scattered adapters, −1 rows and a long run`, () => {
      const random = new SeededRandom(T);
      const rowAdapter = Int32Array.from({ length: T }, (_, t) =>
        t % 5 === 4 ? -1 : t >= 30 && t < 50 ? 2 : t % ranks.length,
      );
      const { expected, actual } = both(
        {
          x: { values: random.floats(T * IN), shape: [T, IN] },
          weight: { values: random.floats(OUT * IN, -0.5, 0.5), shape: [OUT, IN] },
          bias: { values: random.floats(OUT), shape: [OUT] },
          out: [T, OUT],
          ...adapterSpecs(random),
        } as Record<string, TensorSpec>,
        (backend, t) =>
          backend.loraMultiForward({
            x: t['x'] as DeviceTensor,
            weight: t['weight'] as DeviceTensor,
            bias: t['bias'] as DeviceTensor,
            adapters: slots(t),
            rowAdapter,
            out: t['out'] as DeviceTensor,
          }),
      );
      // fp32 sums over K = in (and r) against fp64.
      expectClose(actual['out'] as Float32Array, expected['out'] as Float32Array, {
        atol: 5e-5,
        rtol: 1e-5,
        label: `loraMultiForward T=${T}`,
        shape: [T, OUT],
      });
    });

    it(`segmented form, ${T} rows: long and short segments, an adapter −1 segment, uncovered rows`, () => {
      const random = new SeededRandom(T + 1);
      const segments = [
        { start: 0, length: 3, adapter: 1 },
        { start: 3, length: 2, adapter: -1 },
        { start: 6, length: Math.min(20, T - 8), adapter: 3 },
        { start: T - 2, length: 1, adapter: 0 },
      ];
      const { expected, actual } = both(
        {
          x: { values: random.floats(T * IN), shape: [T, IN] },
          weight: { values: random.floats(OUT * IN, -0.5, 0.5), shape: [OUT, IN] },
          out: [T, OUT],
          ...adapterSpecs(random),
        } as Record<string, TensorSpec>,
        (backend, t) =>
          backend.loraSegmentedForward({
            x: t['x'] as DeviceTensor,
            weight: t['weight'] as DeviceTensor,
            adapters: slots(t),
            segments,
            out: t['out'] as DeviceTensor,
          }),
      );
      expectClose(actual['out'] as Float32Array, expected['out'] as Float32Array, {
        atol: 5e-5,
        rtol: 1e-5,
        label: `loraSegmentedForward T=${T}`,
        shape: [T, OUT],
      });
    });
  }
});
