/**
 * Bytes of model weights on the GPU before sharding. Full fine-tuning and LoRA hold every base parameter
 * in `weightDtype`. QLoRA holds the decoder layers' linear weights in NF4 (nf4-storage.ts) and keeps the
 * embeddings, head, norms and biases in 16-bit, as bitsandbytes' Linear4bit replaces only nn.Linear inside
 * the layers. LoRA and QLoRA add the adapter's own weights in `trainableDtype`.
 */
import { DTYPE_BYTES } from './weight-dtype.js';
import type { WeightDtype } from './weight-dtype.js';
import type { ModelShape } from './model-shape.js';
import { NF4_BYTES_PER_PARAMETER } from './nf4-storage.js';
import type { TrainingMethod } from './trainable-parameters.js';

export interface WeightMemoryOptions {
  method: TrainingMethod;
  /** Parameters the optimizer trains (the adapter's for LoRA and QLoRA). */
  trainableParameters: number;
  /** Storage of the base weights (and of QLoRA's unquantized parts); default bf16. */
  weightDtype?: WeightDtype;
  /** Storage of the adapter weights; default fp32 (PEFT upcasts adapters to fp32 by default). */
  trainableDtype?: WeightDtype;
}

export function weightMemory(shape: ModelShape, options: WeightMemoryOptions): number {
  const base = DTYPE_BYTES[options.weightDtype ?? 'bf16'];
  if (options.method === 'full') return shape.totalParameters * base;
  const adapter = options.trainableParameters * DTYPE_BYTES[options.trainableDtype ?? 'fp32'];
  if (options.method === 'lora') return shape.totalParameters * base + adapter;
  const unquantized = shape.totalParameters - shape.layerLinearParameters;
  return shape.layerLinearParameters * NF4_BYTES_PER_PARAMETER + unquantized * base + adapter;
}
