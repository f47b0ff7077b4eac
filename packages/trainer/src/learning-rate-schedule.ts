/**
 * Learning rate at optimizer step s (1-based), for peak η, W warmup steps and S total steps:
 *   s ≤ W:  η·s/W                                      (linear warmup; W = 0 skips it)
 *   s > W:  p = (s − W − 1)/(S − W),  floor = η·minimumRatio
 * so the first step after warmup runs at the peak (as transformers' schedules, whose step count is 0-based), and
 * warmup's first step is η/W rather than transformers' 0, which would waste a step.
 *           cosine: floor + (η − floor)·(1 + cos(π·p))/2
 *           linear: floor + (η − floor)·(1 − p)
 *           constant: η
 */
import { ConfigError } from '@lorakit/core';

export type LearningRateDecay = 'cosine' | 'linear' | 'constant';

export interface LearningRateSchedule {
  peak: number;
  totalSteps: number;
  warmupSteps?: number;
  decay?: LearningRateDecay;
  /** The rate at the end, as a share of the peak (default 0). */
  minimumRatio?: number;
}

export function learningRateAt(step: number, schedule: LearningRateSchedule): number {
  const { peak, totalSteps } = schedule;
  const warmup = schedule.warmupSteps ?? 0;
  if (!(peak >= 0) || totalSteps < 1 || warmup < 0) {
    throw new ConfigError(
      'INVALID_ARGUMENT',
      `learning-rate schedule needs peak ≥ 0 and totalSteps ≥ 1, got peak=${peak} totalSteps=${totalSteps} warmup=${warmup}`,
    );
  }
  if (step <= warmup) return (peak * step) / warmup;
  const decay = schedule.decay ?? 'cosine';
  if (decay === 'constant') return peak;
  const floor = peak * (schedule.minimumRatio ?? 0);
  const progress = Math.min(1, (step - warmup - 1) / Math.max(1, totalSteps - warmup));
  const shape = decay === 'cosine' ? (1 + Math.cos(Math.PI * progress)) / 2 : 1 - progress;
  return floor + (peak - floor) * shape;
}
