import { describe, expect, it } from 'vitest';
import { getCatalogModel } from '@lorakit/core';
import { modelShape } from './model-shape.js';
import type { ModelShape } from './model-shape.js';
import { trainingFlops } from './training-flops.js';

// N = 1000 matmul parameters; attention q = 2 heads · 4 = 8, L = 2
const shape: ModelShape = {
  layers: 2,
  hidden: 8,
  intermediate: 16,
  heads: 2,
  kvHeads: 1,
  headDim: 4,
  vocab: 10,
  activeExperts: 1,
  totalParameters: 1100,
  embeddingParameters: 150,
  layerLinearParameters: 900,
  matmulParameters: 1000,
  largestTensorParameters: 128,
};
// T = 6 tokens, s = 3: attention forward A = 2 · 2 layers · 3 · 8 · 6 = 576
const base = { tokens: 6, sequenceLength: 3, trainableParameters: 10 };

describe('trainingFlops', () => {
  it('is 6·N·T + 3·A for full fine-tuning, + 2·N·T + A with checkpointing', () => {
    expect(trainingFlops(shape, { ...base, method: 'full' })).toBe(36_000 + 1_728); // 6·1000·6 + 3·576
    expect(trainingFlops(shape, { ...base, method: 'full', checkpointing: true })).toBe(
      37_728 + 12_000 + 576,
    );
  });

  it('is 4·N·T + 6·N_adapter·T + 3·A for LoRA and QLoRA', () => {
    // 4·1000·6 + 6·10·6 + 3·576 = 24,000 + 360 + 1,728
    expect(trainingFlops(shape, { ...base, method: 'lora' })).toBe(26_088);
    expect(trainingFlops(shape, { ...base, method: 'qlora' })).toBe(26_088);
  });

  it('comes to about 6·N·T for Llama-2-7B at 2048 tokens per sequence', () => {
    const llama = modelShape(getCatalogModel('llama-2-7b'));
    const flops = trainingFlops(llama, { method: 'full', tokens: 1e6, trainableParameters: 0 });
    // 6 · 6,607,077,376 · 1e6 = 3.964e16 for the matmuls; attention 6 · 32 · 2048 · 4096 · 1e6 = 1.61e15 more
    expect(flops).toBe(6 * llama.matmulParameters * 1e6 + 6 * 32 * 2048 * 4096 * 1e6);
    expect(llama.matmulParameters).toBe(6_607_077_376);
  });

  it('rejects negative tokens', () => {
    expect(() => trainingFlops(shape, { ...base, method: 'full', tokens: -1 })).toThrow(
      'tokens is -1; give the number of training tokens as a non-negative number such as 1e6',
    );
  });
});
