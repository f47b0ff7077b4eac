/**
 * The one loader of the CUDA addon. Returns the module with its device information, or why it cannot be used
 * (not built because nvcc was missing, fails to load, no driver or GPU), so the caller falls back with a clear
 * message instead of crashing. The `emulated` variant is the CPU emulation of the same kernels, built for tests.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { CudaDeviceInfo, CudaModule } from './cuda-module.js';

/** Where scripts/build-cuda.mjs puts the addons, relative to this file (src/cuda or dist/cuda). */
const ADDON_URLS = {
  device: new URL('../../native-cuda/build/lorakit_cuda.node', import.meta.url),
  emulated: new URL('../../native-cuda/build/lorakit_cuda_emulated.node', import.meta.url),
} as const;

export type CudaAddonVariant = keyof typeof ADDON_URLS;

/** The functions this package's TypeScript needs from an addon it accepts (an older build may lack newer ones). */
const REQUIRED_FUNCTIONS = [
  'deviceInfo',
  'loadCublas',
  'allocate',
  'free',
  'upload',
  'download',
  'memoryStats',
  'matmul',
  'loraLinearForward',
  'loraLinearBackward',
  'loraMultiForward',
  'loraSegmentedForward',
  'attention',
  'attentionBackward',
  'decodeAttention',
  'crossEntropy',
  'adamw',
  'cast',
] as const;

export type CudaLoadResult =
  { module: CudaModule; path: string; device: CudaDeviceInfo; cublas: string } | { unavailable: string };

const cached = new Map<CudaAddonVariant, CudaLoadResult>();

/**
 * Loads the addon once per process and variant (later calls return the same result). cuBLAS is dlopened from
 * LORAKIT_CUBLAS_LIBRARY when set, else from the loader's path (libcublas.so.13, .so.12).
 */
export function loadCuda(variant: CudaAddonVariant = 'device'): CudaLoadResult {
  let result = cached.get(variant);
  if (result === undefined) {
    result = tryLoad(fileURLToPath(ADDON_URLS[variant]), variant);
    cached.set(variant, result);
  }
  return result;
}

function tryLoad(path: string, variant: CudaAddonVariant): CudaLoadResult {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return {
      unavailable: `the cuda backend is built for Linux x86-64 (this is ${process.platform} ${process.arch})`,
    };
  }
  if (!existsSync(path)) {
    return variant === 'device'
      ? {
          unavailable: `the CUDA addon is not built (${path} is missing: nvcc was not found at build time; see scripts/build-cuda.mjs)`,
        }
      : {
          unavailable: `the CUDA emulation addon is not built (${path} is missing; run \`pnpm build\` with g++)`,
        };
  }
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(path);
  } catch (error) {
    return {
      unavailable: `the CUDA addon failed to load: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const candidate = loaded as Partial<Record<string, unknown>>;
  const missing = REQUIRED_FUNCTIONS.filter((name) => typeof candidate[name] !== 'function');
  if (missing.length > 0)
    return { unavailable: `the CUDA addon lacks ${missing.join(', ')} (rebuild it with \`pnpm build\`)` };
  const module = loaded as CudaModule;
  const device = module.deviceInfo();
  if (!device.available) return { unavailable: device.reason };
  let cublas: string;
  try {
    cublas = module.loadCublas(process.env['LORAKIT_CUBLAS_LIBRARY'] ?? '');
  } catch (error) {
    cublas = `not loaded (${error instanceof Error ? error.message : String(error)})`;
  }
  return { module, path, device, cublas };
}
