/**
 * The `cpu` backend: HostTensor memory (the same layout as `reference`) and ops run by the native addon
 * (node-addon-api, AVX2/FMA, all cores): the GEMM-based ops (cpu-linear-ops.ts) and the others
 * (native-other-ops.ts). An op the loaded addon lacks runs the reference op on the same memory
 * (reference-fallback.ts), so the backend is always complete; its description lists such ops.
 * Throws BackendError('BACKEND_UNAVAILABLE') with the reason when the addon cannot be used.
 */
import { BackendError } from '@lorakit/core';
import type { Backend } from '../backend.js';
import { loadNative } from '../native/load-native.js';
import type { NativeModule } from '../native/native-module.js';
import type { Ops } from '../ops.js';
import { createHostMemory } from '../reference/host-memory.js';
import { createReferenceBackend } from '../reference/reference-backend.js';
import { createCpuLinearOps } from './cpu-linear-ops.js';
import { createNativeOtherOps } from './native-other-ops.js';
import { nativeOpNames, OP_NAMES } from './native-op-names.js';
import { referenceFallback } from './reference-fallback.js';

export interface CpuBackendOptions {
  /** Threads the ops use (default: every online CPU; the setting is per process). Results do not depend on it. */
  threads?: number;
}

/** "cpu: AVX2/FMA, AVX-512 GEMM, 2 threads" — and which ops, if any, run reference code. */
function describe(native: NativeModule, threads: number, referenceOps: readonly string[]): string {
  const parts = [
    `cpu: AVX2/FMA${native.gemmKernel() === 'avx512' ? ', AVX-512 GEMM' : ''}`,
    `${threads} thread${threads === 1 ? '' : 's'}${native.cpuFeatures().openmp ? '' : ' (built without OpenMP)'}`,
  ];
  if (referenceOps.length > 0)
    parts.push(`reference code for ${referenceOps.join(', ')} (rebuild the addon)`);
  return parts.join(', ');
}

export function createCpuBackend(options: CpuBackendOptions = {}): Backend {
  const loaded = loadNative();
  if ('unavailable' in loaded) {
    throw new BackendError('BACKEND_UNAVAILABLE', `cpu backend unavailable: ${loaded.unavailable}`, {
      fix: 'install a C++ compiler and cmake, then run `pnpm build` in @lorakit/kernels-cuda (or use the reference backend)',
    });
  }
  const native = loaded.module;
  if (options.threads !== undefined) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new BackendError(
        'INVALID_ARGUMENT',
        `cpu backend: threads = ${options.threads} must be a positive integer`,
      );
    }
    native.setThreadCount(options.threads);
  }
  const threads = native.threadCount();
  const names = nativeOpNames(native);
  const nativeOps: Ops = { ...createCpuLinearOps(native), ...createNativeOtherOps(native, 'cpu') };
  const reference = createReferenceBackend();
  const ops = Object.fromEntries(
    OP_NAMES.map((name) => [
      name,
      names.native.includes(name) ? nativeOps[name] : referenceFallback(reference, name),
    ]),
  ) as unknown as Ops;
  return {
    name: 'cpu',
    description: describe(native, threads, names.reference),
    ...createHostMemory('cpu'),
    ...ops,
    // Tensors own their memory; the addon's scratch buffers live as long as the process.
    dispose(): void {},
    [Symbol.dispose](): void {},
  };
}
