/**
 * The `cuda` backend: CudaTensors in device memory and the ops as CUDA kernels (native-cuda/), compute in fp32,
 * cuBLAS for plain matmuls when it can be loaded. createCudaBackend() throws BackendError('BACKEND_UNAVAILABLE')
 * with the reason when the addon is not built (no nvcc at build time), does not load, or finds no driver or GPU,
 * so `auto` selection can fall back to the next backend.
 */
import { BackendError } from '@lorakit/core';
import type { Backend } from '../backend.js';
import { createCudaLayerOps } from './cuda-layer-ops.js';
import { createCudaLinearOps } from './cuda-linear-ops.js';
import { createCudaMemory } from './cuda-memory.js';
import type { CudaDeviceInfo, CudaMemoryStats, CudaModule } from './cuda-module.js';
import { loadCuda } from './load-cuda.js';
import type { CudaAddonVariant } from './load-cuda.js';

export interface CudaBackend extends Backend {
  readonly name: 'cuda';
  readonly device: CudaDeviceInfo;
  /** What cuBLAS build the matmuls use, or why none. */
  readonly cublas: string;
  /** The caching allocator's counters (a training step that reuses its shapes stops adding deviceAllocations). */
  memoryStats(): CudaMemoryStats;
}

export interface CudaBackendOptions {
  /** 'emulated' runs the same kernels in the CPU emulation build (tests without a GPU). Default 'device'. */
  variant?: CudaAddonVariant;
}

function describe(device: CudaDeviceInfo, cublas: string): string {
  const memory = `${(device.totalMemoryBytes / 2 ** 30).toFixed(0)} GiB`;
  const where = device.emulated
    ? device.name
    : `${device.name} (sm_${device.computeCapability.replace('.', '')}, ${device.multiprocessors} SMs, ${memory})`;
  return `cuda: ${where}; cuBLAS ${cublas}`;
}

/** A cuda backend over an already loaded addon. */
export function createCudaBackendFromModule(
  module: CudaModule,
  device: CudaDeviceInfo,
  cublas: string,
): CudaBackend {
  return {
    name: 'cuda',
    description: describe(device, cublas),
    device,
    cublas,
    ...createCudaMemory(module),
    ...createCudaLinearOps(module),
    ...createCudaLayerOps(module),
    memoryStats: (): CudaMemoryStats => module.memoryStats(),
    // Tensors stay the caller's to dispose; what the backend holds is the cache of freed blocks.
    dispose(): void {
      module.releaseCache();
    },
    [Symbol.dispose](): void {
      module.releaseCache();
    },
  };
}

export function createCudaBackend(options: CudaBackendOptions = {}): CudaBackend {
  const loaded = loadCuda(options.variant ?? 'device');
  if ('unavailable' in loaded) {
    throw new BackendError('BACKEND_UNAVAILABLE', `cuda backend unavailable: ${loaded.unavailable}`, {
      fix: 'use the cpu or reference backend (backend: "auto" falls back by itself)',
    });
  }
  return createCudaBackendFromModule(loaded.module, loaded.device, loaded.cublas);
}
