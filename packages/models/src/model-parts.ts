/** What the forward and backward passes read from a loaded model (internal). */
import type { ModelDimensions } from '@lorakit/core';
import type { Backend } from '@lorakit/kernels-cuda';
import type { ModelWeights } from './model-weights.js';
import type { RopeSettings } from './rope-settings.js';

export interface ModelParts {
  readonly backend: Backend;
  readonly weights: ModelWeights;
  readonly dimensions: ModelDimensions;
  readonly rope: RopeSettings;
  /** RMSNorm epsilon (config rms_norm_eps, default 1e-6). */
  readonly eps: number;
}
