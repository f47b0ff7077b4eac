/** A GPU from a catalog name or a custom spec, checked, with the nearest catalog names on a typo. */
import { ConfigError, nearestNames } from '@lorakit/core';
import { GPU_CATALOG } from './gpu-catalog.js';
import type { GpuName, GpuSpec } from './gpu-catalog.js';

/** The catalog entry for `gpu`, or `gpu` itself after checking its numbers; CONFIG_INVALID otherwise. */
export function resolveGpu(gpu: string | GpuSpec): GpuSpec {
  if (typeof gpu === 'string') {
    const key = gpu.toLowerCase();
    if (Object.hasOwn(GPU_CATALOG, key)) return GPU_CATALOG[key as GpuName];
    const nearest = nearestNames(key, Object.keys(GPU_CATALOG)).join(', ');
    throw new ConfigError('CONFIG_INVALID', `unknown GPU "${gpu}"; nearest: ${nearest}`, {
      fix: `use a catalog name (${Object.keys(GPU_CATALOG).join(', ')}) or pass a custom GpuSpec`,
    });
  }
  for (const key of ['memoryBytes', 'peakBf16Tflops', 'pricePerHour'] as const) {
    const value = gpu[key];
    const allowZero = key === 'pricePerHour';
    if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      throw new ConfigError('CONFIG_INVALID', `GPU "${gpu.displayName}": ${key} is ${String(value)}`, {
        fix: `set ${key} to a positive number`,
      });
    }
  }
  return gpu;
}
