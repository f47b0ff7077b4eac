/**
 * Training FLOPs. A forward pass costs 2 FLOPs per matmul parameter per token (Kaplan et al. 2020, "Scaling
 * Laws", §2.1: C_forward ≈ 2N), N = shape.matmulParameters. The backward pass costs twice that for full
 * fine-tuning (gradients of activations and of weights): 6·N·T in all. Frozen weights need no weight gradient,
 * so LoRA and QLoRA cost 4·N·T, plus 6·N_adapter·T for the adapter itself. Activation checkpointing runs
 * the forward pass again: + 2·N·T. Causal attention scores add, per token per layer, s·q FLOPs for Q·Kᵀ
 * and s·q for the weighted sum of V (half of s keys on average), q = heads·headDim: A = 2·L·s·q·T forward,
 * 3·A with the backward pass whatever the method (attention has no weights), + A with checkpointing.
 */
import { MathError } from '@lorakit/core';
import type { ModelShape } from './model-shape.js';
import type { TrainingMethod } from './trainable-parameters.js';

export interface TrainingFlopsOptions {
  method: TrainingMethod;
  /** Training tokens in all (sequences × sequence length × epochs). */
  tokens: number;
  /** The adapter's parameters (LoRA/QLoRA); ignored for full fine-tuning. */
  trainableParameters: number;
  /** Tokens per sequence, for the attention term (default 2048). */
  sequenceLength?: number;
  checkpointing?: boolean;
}

export function trainingFlops(shape: ModelShape, options: TrainingFlopsOptions): number {
  const tokens = options.tokens;
  if (!Number.isFinite(tokens) || tokens < 0) {
    throw new MathError('INVALID_ARGUMENT', `tokens is ${String(tokens)}`, {
      fix: 'give the number of training tokens as a non-negative number such as 1e6',
    });
  }
  const n = shape.matmulParameters;
  const attentionForward =
    2 * shape.layers * (options.sequenceLength ?? 2048) * shape.heads * shape.headDim * tokens;
  const recompute = options.checkpointing ? 2 * n * tokens + attentionForward : 0;
  const matmuls =
    options.method === 'full' ? 6 * n * tokens : 4 * n * tokens + 6 * options.trainableParameters * tokens;
  return matmuls + 3 * attentionForward + recompute;
}
