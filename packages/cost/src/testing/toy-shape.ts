/**
 * A made-up model for hand-computed tests: h = 8, q = 2·4 = 8, kv = 1·4 = 4, i = 16, L = 2, V = 10;
 * 1000 parameters, 800 of them in layer linears, 150 in embeddings, 50 in norms.
 */
import type { ModelShape } from '../model-shape.js';

export const TOY_SHAPE: ModelShape = {
  layers: 2,
  hidden: 8,
  intermediate: 16,
  heads: 2,
  kvHeads: 1,
  headDim: 4,
  vocab: 10,
  activeExperts: 1,
  totalParameters: 1000,
  embeddingParameters: 150,
  layerLinearParameters: 800,
  matmulParameters: 880,
  largestTensorParameters: 128,
};
