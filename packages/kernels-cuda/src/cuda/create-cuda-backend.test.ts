// The cuda backend's life cycle: unavailable → a typed BACKEND_UNAVAILABLE error with the reason (never a crash);
// memory round trips, disposal, the caching allocator and the native checks, on the CPU emulation of the addon
// (every machine with g++) and on a GPU when one is present.
import { BackendError, bf16ToNumber, numberToBf16 } from '@lorakit/core';
import { describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../reference/reference-backend.js';
import { TensorPool } from '../tensor-pool.js';
import { createCudaBackend } from './create-cuda-backend.js';
import type { CudaTensor } from './cuda-tensor.js';
import { loadCuda } from './load-cuda.js';
import { worstMismatch } from './parity-cases.js';

describe('createCudaBackend', () => {
  const device = loadCuda('device');
  it.runIf('unavailable' in device)(
    'throws BACKEND_UNAVAILABLE with the reason when the addon, driver or GPU is missing',
    () => {
      let thrown: unknown;
      try {
        createCudaBackend();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(BackendError);
      expect((thrown as BackendError).code).toBe('BACKEND_UNAVAILABLE');
      // e.g. "no CUDA driver or GPU (cudaGetDeviceCount: …, CUDA error 35)" or "the CUDA addon is not built (…)".
      expect((thrown as BackendError).message).toMatch(/^cuda backend unavailable: (no CUDA|the CUDA addon)/);
      console.log(`createCudaBackend() here: ${(thrown as BackendError).message}`);
    },
  );
  it.runIf(!('unavailable' in device))('opens the GPU when one is present', () => {
    using backend = createCudaBackend();
    expect(backend.name).toBe('cuda');
    expect(backend.device.available).toBe(true);
  });
});

describe('worstMismatch', () => {
  it('reports values outside atol + rtol·|ref| and accepts those inside', () => {
    expect(worstMismatch(Float32Array.of(1, 2), Float32Array.of(1, 2.00001), 1e-5, 1e-5)).toBeUndefined();
    expect(worstMismatch(Float32Array.of(1, 2), Float32Array.of(1, 2.001), 1e-5, 1e-5)).toMatch(/^index 1/);
    expect(worstMismatch(Float32Array.of(Number.NaN), Float32Array.of(0), 1, 1)).toMatch(/^index 0/);
  });
});

for (const variant of ['emulated', 'device'] as const) {
  const loaded = loadCuda(variant);
  const skipReason = 'unavailable' in loaded ? loaded.unavailable : undefined;
  if (skipReason !== undefined) console.log(`cuda memory tests (${variant}) skipped: ${skipReason}`);
  describe.skipIf(skipReason !== undefined)(`cuda backend memory (${variant})`, () => {
    it('round-trips f32, f16 and bf16 values, zeros, fill and copy', () => {
      using backend = createCudaBackend({ variant });
      const values = [0, -1.5, 3.14159, 65504, 1e-3];
      const f32 = backend.fromArray(values, [5]);
      const bf16 = backend.fromArray(values, [5], 'bf16');
      const f16 = backend.fromArray(values, [5], 'f16');
      expect([...backend.toArray(f32)]).toEqual(values.map(Math.fround));
      expect([...backend.toArray(bf16)]).toEqual(values.map((value) => bf16ToNumber(numberToBf16(value))));
      expect(backend.toArray(f16)[2]).toBeCloseTo(3.14159, 2); // f16 keeps 11 significant bits
      const zeros = backend.zeros([2, 3], 'bf16');
      expect([...backend.toArray(zeros)]).toEqual([0, 0, 0, 0, 0, 0]);
      backend.fill(zeros, 2.5);
      expect([...backend.toArray(zeros)]).toEqual([2.5, 2.5, 2.5, 2.5, 2.5, 2.5]);
      const copy = backend.zeros([5]);
      backend.copy(copy, f32);
      expect(backend.toArray(copy)).toEqual(backend.toArray(f32));
      for (const tensor of [f32, bf16, f16, zeros, copy]) tensor.dispose();
    });

    it('refuses disposed tensors, tensors of other backends and wrong sizes with typed errors', () => {
      using backend = createCudaBackend({ variant });
      const a = backend.fromArray([1, 2, 3, 4], [2, 2]);
      const out = backend.zeros([2, 2]);
      const foreign = createReferenceBackend().fromArray([1, 2, 3, 4], [2, 2]);
      expect(() => backend.matmul(out, a, foreign)).toThrow(
        expect.objectContaining({ code: 'BACKEND_MISMATCH' }),
      );
      expect(() => backend.write(a, [1, 2, 3])).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
      a.dispose();
      a.dispose(); // a second dispose is a no-op
      expect(() => backend.matmul(out, a, out)).toThrow(expect.objectContaining({ code: 'TENSOR_DISPOSED' }));
      expect(() => backend.toArray(a)).toThrow(expect.objectContaining({ code: 'TENSOR_DISPOSED' }));
      out.dispose();
    });

    it('checks buffer sizes natively too (a call that bypasses the validators)', () => {
      if ('unavailable' in loaded) return;
      const { module } = loaded;
      const small = module.allocate(16);
      const large = module.allocate(4096);
      expect(() => module.matmul(large, small, large, 0, 1, 16, 16, 16, 0, 0, false, false, 1, 0)).toThrow(
        /\(native check\)$/,
      );
      expect(() => module.embedding(large, large, Int32Array.of(0, 99), 2, 4, 4)).toThrow(
        /ids\[1\] = 99 is out of range/,
      );
      module.free(small);
      module.free(large);
    });

    it('stops calling cudaMalloc once a loop reuses its shapes (caching allocator + TensorPool)', () => {
      using backend = createCudaBackend({ variant });
      const pool = new TensorPool(backend);
      const step = (): void => {
        const x = pool.acquire([8, 16]);
        const y = pool.acquire([8, 16]);
        backend.add(y, x, x);
        pool.releaseAll();
        // A transient tensor disposed every step comes back from the cache.
        backend.zeros([64, 64]).dispose();
      };
      step();
      const after = backend.memoryStats().deviceAllocations;
      for (let i = 0; i < 5; i++) step();
      expect(backend.memoryStats().deviceAllocations).toBe(after);
      pool.dispose();
    });

    it('multiplies bf16 matrices with fp32 accumulation (the native bf16 GEMM)', () => {
      if ('unavailable' in loaded) return;
      using backend = createCudaBackend({ variant });
      const [M, N, K] = [5, 7, 40];
      const aValues = Array.from({ length: M * K }, (_, i) => Math.sin(i));
      const bValues = Array.from({ length: K * N }, (_, i) => Math.cos(i));
      const [a, b, out] = [
        backend.fromArray(aValues, [M, K], 'bf16'),
        backend.fromArray(bValues, [K, N], 'bf16'),
        backend.zeros([M, N], 'bf16'),
      ];
      loaded.module.matmul(
        (out as CudaTensor).handle,
        (a as CudaTensor).handle,
        (b as CudaTensor).handle,
        2,
        1,
        M,
        N,
        K,
        0,
        0,
        false,
        false,
        1,
        0,
      );
      const aRounded = backend.toArray(a);
      const bRounded = backend.toArray(b);
      const expected = new Float32Array(M * N);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let sum = 0;
          for (let k = 0; k < K; k++)
            sum += (aRounded[i * K + k] as number) * (bRounded[k * N + j] as number);
          expected[i * N + j] = sum;
        }
      }
      // The output is rounded to bf16: |ref − out| ≤ 1e-3 + 2⁻⁸·|ref|.
      expect(worstMismatch(expected, backend.toArray(out), 1e-3, 2 ** -8)).toBeUndefined();
      for (const tensor of [a, b, out]) tensor.dispose();
    });
  });
}
