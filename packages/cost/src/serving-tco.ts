/**
 * Monthly cost of serving N customisations two ways (the multi-adapter argument of Punica, Chen et al. 2023,
 * and S-LoRA, Sheng et al. 2023):
 *   full fine-tunes: N deployments, each replicas = max(1, ⌈load⌉)
 *   adapters:        one base deployment, replicas = max(1, ⌈N·load·(1 + adapterOverhead)⌉)
 * GPU-hours = replicas × gpusPerReplica × hoursPerMonth; storage = N·checkpoint vs checkpoint + N·adapter;
 * dollars = GPU-hours × price + storage GB × storage price. `load` is the share of one replica's throughput one
 * customisation's traffic needs; `adapterOverhead` the throughput lost to multi-adapter batching. Both are
 * assumptions to replace with measurements (defaults 0.1 and 0.2).
 */
import { ConfigError } from '@lorakit/core';
import type { GpuSpec } from './gpu-catalog.js';
import { resolveGpu } from './resolve-gpu.js';

/** S3 Standard, first 50 TB, us-east-1, USD per GB-month (aws.amazon.com/s3/pricing, 2024-06). */
export const DEFAULT_STORAGE_PRICE_PER_GB_MONTH = 0.023;
export const HOURS_PER_MONTH = 730;

export interface ServingTcoOptions {
  customisations: number;
  checkpointBytes: number;
  adapterBytes: number;
  gpu: string | GpuSpec;
  /** Default ⌈1.2 × checkpoint / GPU memory⌉: the weights plus 20% for KV cache and activations. */
  gpusPerReplica?: number;
  /** Share of one replica's throughput each customisation needs (default 0.1). */
  loadPerCustomisation?: number;
  /** Throughput lost to serving many adapters in one batch (default 0.2). */
  adapterOverhead?: number;
  hoursPerMonth?: number;
  storagePricePerGbMonth?: number;
}

export interface ServingPlan {
  replicas: number;
  gpuHoursPerMonth: number;
  storageBytes: number;
  usdPerMonth: number;
}

export interface ServingTco {
  gpusPerReplica: number;
  fullFineTunes: ServingPlan;
  adapters: ServingPlan;
  /** fullFineTunes.usdPerMonth − adapters.usdPerMonth. */
  savingsPerMonth: number;
}

export function servingTco(options: ServingTcoOptions): ServingTco {
  const n = options.customisations;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new ConfigError('CONFIG_INVALID', `customisations is ${String(n)}`, {
      fix: 'give the number of customisations as a positive integer',
    });
  }
  const gpu = resolveGpu(options.gpu);
  const gpusPerReplica =
    options.gpusPerReplica ?? Math.ceil((1.2 * options.checkpointBytes) / gpu.memoryBytes);
  const load = options.loadPerCustomisation ?? 0.1;
  const overhead = options.adapterOverhead ?? 0.2;
  const hours = options.hoursPerMonth ?? HOURS_PER_MONTH;
  const storagePrice = options.storagePricePerGbMonth ?? DEFAULT_STORAGE_PRICE_PER_GB_MONTH;
  // 30 × 0.1 is 3.0000000000000004 in floating point: do not let rounding noise buy a replica
  const ceil = (value: number): number => Math.ceil(value - 1e-9);
  const plan = (replicas: number, storageBytes: number): ServingPlan => {
    const gpuHoursPerMonth = replicas * gpusPerReplica * hours;
    const usdPerMonth = gpuHoursPerMonth * gpu.pricePerHour + (storageBytes / 1e9) * storagePrice;
    return { replicas, gpuHoursPerMonth, storageBytes, usdPerMonth };
  };
  const fullFineTunes = plan(n * Math.max(1, ceil(load)), n * options.checkpointBytes);
  const adapters = plan(
    Math.max(1, ceil(n * load * (1 + overhead))),
    options.checkpointBytes + n * options.adapterBytes,
  );
  return {
    gpusPerReplica,
    fullFineTunes,
    adapters,
    savingsPerMonth: fullFineTunes.usdPerMonth - adapters.usdPerMonth,
  };
}
