/**
 * Activation memory of one micro-batch, adapted from Korthikanti et al. 2022, "Reducing Activation
 * Recomputation in Large Transformer Models", §4.1 (GPT: s·b·h·(34 + 5·a·s/h) bytes per layer in 16-bit).
 * For Llama-style layers (RMSNorm, GQA, SwiGLU, no dropout, fused attention that keeps no s×s matrix) the
 * tensors saved for the backward pass per token per layer, in elements of p bytes, are:
 *   attention: norm input h, norm output h, Q q, K kv, V kv, attention output q, + fp32 log-sum-exp per head
 *   MLP:       norm input h, norm output h, gate i, up i, SiLU(gate) i, SiLU(gate)·up i   (× active experts)
 * so  perLayer = p·(4h + 2q + 2kv + 4·i·e) + 4·heads  bytes per token, with q = heads·headDim, kv = kvHeads·headDim.
 * Without checkpointing every layer keeps its tensors: T·L·perLayer (T = batch·sequence tokens).
 * With checkpointing each layer keeps only its input and one layer is recomputed at a time: T·(L·p·h + perLayer).
 * Plus the final norm and head inputs, 2·T·p·h, and the logits: T·V·p for the head output, and its fp32 upcast
 * for the loss, T·V·4 (divided by the number of chunks when the loss is computed in chunks; no upcast in fp32).
 * A frozen base (LoRA) still saves these: its inputs are needed for the gradients flowing to earlier layers.
 */
import type { ModelShape } from './model-shape.js';

export interface ActivationMemoryOptions {
  sequenceLength: number;
  /** Sequences per micro-batch on this GPU. */
  batchSize: number;
  /** Bytes per activation element: 2 for bf16/fp16 compute, 4 for fp32. */
  activationBytes: number;
  /** Recompute each layer in the backward pass instead of keeping its activations. */
  checkpointing: boolean;
  /** The loss upcasts the logits to fp32 in this many chunks (torchtune: 8); default 1. */
  lossChunks?: number;
}

export interface ActivationMemory {
  /** Bytes one decoder layer saves per token. */
  perLayerPerToken: number;
  /** Bytes held for the decoder layers (with checkpointing: layer inputs plus one recomputed layer). */
  layers: number;
  /** Bytes of the logits and their fp32 upcast, plus the final norm and head inputs. */
  head: number;
  total: number;
}

export function activationMemory(shape: ModelShape, options: ActivationMemoryOptions): ActivationMemory {
  const p = options.activationBytes;
  const tokens = options.sequenceLength * options.batchSize;
  const q = shape.heads * shape.headDim;
  const kv = shape.kvHeads * shape.headDim;
  const perLayerPerToken =
    p * (4 * shape.hidden + 2 * q + 2 * kv + 4 * shape.intermediate * shape.activeExperts) + 4 * shape.heads;
  const layers = options.checkpointing
    ? tokens * (shape.layers * p * shape.hidden + perLayerPerToken)
    : tokens * shape.layers * perLayerPerToken;
  const upcast = p < 4 ? (tokens * shape.vocab * 4) / (options.lossChunks ?? 1) : 0;
  const head = 2 * tokens * p * shape.hidden + tokens * shape.vocab * p + upcast;
  return { perLayerPerToken, layers, head, total: layers + head };
}
