import { describe, expect, it } from 'vitest';
import { getCatalogModel } from '@lorakit/core';
import { modelShape } from './model-shape.js';

describe('modelShape', () => {
  it('splits Llama-2-70B into embeddings, layer linears and the rest', () => {
    const shape = modelShape(getCatalogModel('llama-2-70b'));
    expect(shape).toMatchObject({
      layers: 80,
      hidden: 8192,
      kvHeads: 8,
      headDim: 128,
      vocab: 32000,
      activeExperts: 1,
    });
    expect(shape.totalParameters).toBe(68_976_648_192);
    // embed_tokens + untied lm_head: 2 · 32000 · 8192
    expect(shape.embeddingParameters).toBe(524_288_000);
    // per layer: q, o 8192² = 67,108,864 each; k, v 8192·1024 = 8,388,608 each; MLP 3·8192·28672 = 704,643,072
    // = 855,638,016; × 80 layers
    expect(shape.layerLinearParameters).toBe(68_451_041_280);
    // + the head 32000·8192 = 262,144,000 (the input embedding is a lookup, not a matmul)
    expect(shape.matmulParameters).toBe(68_713_185_280);
    // the embedding (262,144,000) beats an MLP matrix (234,881,024)
    expect(shape.largestTensorParameters).toBe(262_144_000);
    // what is left are the RMSNorm weights: 80·2·8192 + 8192
    expect(shape.totalParameters - shape.embeddingParameters - shape.layerLinearParameters).toBe(1_318_912);
  });

  it('counts a tied head once in storage but still as a matmul', () => {
    const shape = modelShape(getCatalogModel('smollm2-135m'));
    expect(shape.embeddingParameters).toBe(49152 * 576);
    expect(shape.matmulParameters - shape.layerLinearParameters).toBe(49152 * 576);
  });

  it('counts only the active experts of a mixture of experts as per-token matmuls', () => {
    const shape = modelShape(getCatalogModel('mixtral-8x7b'));
    expect(shape.activeExperts).toBe(2);
    const expertsPerLayer = 8 * 3 * 4096 * 14336;
    const attentionAndRouter = 2 * 4096 * 4096 + 2 * 4096 * 1024 + 4096 * 8;
    expect(shape.layerLinearParameters).toBe(32 * (expertsPerLayer + attentionAndRouter));
    expect(shape.matmulParameters).toBe(32 * (expertsPerLayer / 4 + attentionAndRouter) + 32000 * 4096);
  });
});
