/** RoPE settings from config.json: rope_theta (default 10000) and rope_scaling (none, "default" or "llama3"). */
import { ConfigError } from '@lorakit/core';
import type { ModelConfig } from '@lorakit/core';
import type { Llama3RopeScaling } from '@lorakit/kernels-cuda';

export interface RopeSettings {
  readonly theta: number;
  readonly scaling?: Llama3RopeScaling;
}

function positive(scaling: Record<string, unknown>, key: string, source: string): number {
  const value = scaling[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${source}: rope_scaling.${key} must be a positive number, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function ropeSettings(config: ModelConfig, source = 'config.json'): RopeSettings {
  const theta = config.rope_theta ?? 10000;
  const scaling = config.rope_scaling;
  if (scaling === undefined) return { theta };
  const type = scaling['rope_type'] ?? scaling['type'];
  if (type === 'default') return { theta };
  if (type !== 'llama3') {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${source}: rope_scaling type ${JSON.stringify(type)} is not supported; supported: default, llama3`,
      {
        fix: 'remove rope_scaling or use a model with Llama-3 style scaling',
      },
    );
  }
  return {
    theta,
    scaling: {
      factor: positive(scaling, 'factor', source),
      lowFreqFactor: positive(scaling, 'low_freq_factor', source),
      highFreqFactor: positive(scaling, 'high_freq_factor', source),
      originalMaxPositionEmbeddings: positive(scaling, 'original_max_position_embeddings', source),
    },
  };
}
