/**
 * An example third-party lorakit target plugin: adapt only the attention projections (q, k, v, o) of the last N
 * decoder layers, optionally at their own rank. It uses only @lorakit/core's public API.
 */
import { LorakitError, TargetError, defineTargetPlugin } from '@lorakit/core';
import type { TargetPlugin } from '@lorakit/core';

export interface LastLayersAttentionOptions {
  /** How many of the last decoder layers to adapt (a positive integer). */
  layers: number;
  /** The LoRA rank for these modules; the config's r / rank_pattern when omitted. */
  rank?: number;
}

const ATTENTION_PROJECTIONS = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];

function positiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** A target plugin named "last-layers-attention" that selects q/k/v/o_proj in the last `layers` layers. */
export function lastLayersAttention(options: LastLayersAttentionOptions): TargetPlugin {
  const { layers, rank } = options;
  if (!positiveInteger(layers) || (rank !== undefined && !positiveInteger(rank))) {
    throw new LorakitError(
      'INVALID_ARGUMENT',
      `lastLayersAttention: layers=${String(layers)}, rank=${String(rank)}`,
      {
        fix: 'give layers (and rank, if any) as positive integers',
      },
    );
  }
  return defineTargetPlugin({
    name: 'last-layers-attention',
    filter: { names: ATTENTION_PROJECTIONS, layers: { last: layers } },
    // Asking for more layers than the model has is almost surely a mistake: say so before anything is matched.
    configResolved(context) {
      if (layers > context.layerCount) {
        throw new TargetError(
          'TARGET_INVALID',
          `last-layers-attention: asked for the last ${layers} layers but the model has ${context.layerCount}`,
          {
            fix: `use layers <= ${context.layerCount}`,
          },
        );
      }
    },
    ...(rank === undefined ? {} : { resolveModule: () => ({ r: rank }) }),
  });
}
