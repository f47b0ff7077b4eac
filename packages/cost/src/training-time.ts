/**
 * Wall-clock time and price of a training run: hours = FLOPs / (GPUs × peak bf16 FLOP/s × utilisation) / 3600,
 * dollars = hours × GPUs × price per GPU-hour. Utilisation is model FLOPs utilisation (MFU); 0.4 is a stated
 * default: well-tuned large runs reach 0.4–0.55 (Chowdhery et al. 2022, PaLM §4.1: 46.2%; Korthikanti et al.
 * 2022: 54%), while small-batch fine-tuning often runs lower, so measure yours and pass it.
 */
import { ConfigError } from '@lorakit/core';
import type { GpuSpec } from './gpu-catalog.js';
import { resolveGpu } from './resolve-gpu.js';

export const DEFAULT_UTILISATION = 0.4;

export interface TrainingTimeOptions {
  /** A GPU_CATALOG name or a custom spec. */
  gpu: string | GpuSpec;
  gpus?: number;
  /** Model FLOPs utilisation in (0, 1] (default 0.4). */
  utilisation?: number;
}

export interface TrainingTime {
  hours: number;
  gpuHours: number;
  usd: number;
}

export function trainingTime(flops: number, options: TrainingTimeOptions): TrainingTime {
  const gpu = resolveGpu(options.gpu);
  const gpus = options.gpus ?? 1;
  const utilisation = options.utilisation ?? DEFAULT_UTILISATION;
  if (!(utilisation > 0 && utilisation <= 1)) {
    throw new ConfigError('CONFIG_INVALID', `utilisation is ${String(utilisation)}`, {
      fix: 'give model FLOPs utilisation as a fraction in (0, 1], such as 0.4',
    });
  }
  const hours = flops / (gpus * gpu.peakBf16Tflops * 1e12 * utilisation) / 3600;
  return { hours, gpuHours: hours * gpus, usd: hours * gpus * gpu.pricePerHour };
}
