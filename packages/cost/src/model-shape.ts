/**
 * The numbers the cost formulas need from a model, read from its config without weights: the layout
 * (layers, widths, heads, vocabulary) and the parameter count split by what memory and FLOP formulas treat
 * differently: embeddings (kept in 16-bit by QLoRA, no matmul for the input lookup), the decoder layers'
 * linear weights (quantized by QLoRA), and the rest (norms, biases).
 */
import { countModelParameters, listModelModules, resolveArchitecture } from '@lorakit/core';
import type { ModelConfig } from '@lorakit/core';

/** A model reduced to what memory, FLOP and storage formulas read. Build it by hand for other architectures. */
export interface ModelShape {
  readonly layers: number;
  readonly hidden: number;
  /** MLP width of one expert (of the dense MLP for dense models). */
  readonly intermediate: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocab: number;
  /** MLPs run per token: 1 for dense models, num_experts_per_tok for mixture of experts. */
  readonly activeExperts: number;
  /** Every parameter of the base model (a tied head counted once). */
  readonly totalParameters: number;
  /** Input embedding plus the output head when it is not tied: QLoRA keeps these in 16-bit. */
  readonly embeddingParameters: number;
  /** Weights (no biases) of the decoder layers' linear modules: what QLoRA stores in NF4. */
  readonly layerLinearParameters: number;
  /** Parameters multiplied with every token: active layer linears plus the head (the 2·N of a forward pass). */
  readonly matmulParameters: number;
  /** Elements of the largest single parameter tensor (optimizer-in-backward holds one gradient this big). */
  readonly largestTensorParameters: number;
}

/** The shape of a supported architecture's config (ARCHITECTURE_UNSUPPORTED otherwise, from core). */
export function modelShape(config: ModelConfig): ModelShape {
  const architecture = resolveArchitecture(config);
  const d = architecture.dimensions(config);
  const experts = d.experts;
  const activeExperts = experts > 0 ? (config.num_experts_per_tok ?? experts) : 1;
  let embeddingParameters = 0;
  let layerLinearParameters = 0;
  let matmulParameters = 0;
  let largestTensorParameters = 0;
  for (const module of listModelModules(config)) {
    const size = module.in * module.out;
    largestTensorParameters = Math.max(largestTensorParameters, size);
    if (module.layer === undefined) {
      // the input embedding is a lookup; the head is a matmul whether or not it shares the embedding's weight
      if (module.outputHead) matmulParameters += size;
      if (!(module.outputHead && d.tiedEmbeddings)) embeddingParameters += size;
      continue;
    }
    layerLinearParameters += size;
    // an expert's MLP runs for activeExperts / experts of the tokens
    matmulParameters += module.name.includes('.experts.') ? (size * activeExperts) / experts : size;
  }
  return {
    layers: d.layers,
    hidden: d.hidden,
    intermediate: d.intermediate,
    heads: d.heads,
    kvHeads: d.kvHeads,
    headDim: d.headDim,
    vocab: d.vocab,
    activeExperts,
    totalParameters: countModelParameters(config),
    embeddingParameters,
    layerLinearParameters,
    matmulParameters,
    largestTensorParameters,
  };
}
