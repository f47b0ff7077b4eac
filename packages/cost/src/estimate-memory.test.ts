import { describe, expect, it } from 'vitest';
import { estimateMemory } from './estimate-memory.js';
import { TOY_SHAPE } from './testing/toy-shape.js';

const shape = TOY_SHAPE;
// activations at T = 6 tokens, bf16, no checkpointing: 3528 (activation-memory.test.ts)
const full = {
  method: 'full',
  trainableParameters: 1000,
  sequenceLength: 3,
  batchSize: 2,
  overheadBytes: 100,
} as const;

describe('estimateMemory', () => {
  it('sums weights, gradients, optimizer, activations and overhead for mixed-precision full fine-tuning', () => {
    // weights 1000·2; gradients 1000·2; optimizer 1000·(8 + 4 master); activations 3528; overhead 100
    expect(estimateMemory(shape, full)).toEqual({
      weights: 2000,
      gradients: 2000,
      optimizer: 12000,
      activations: 3528,
      overhead: 100,
      total: 19628,
      offloadedOptimizer: 0,
    });
  });

  it('divides what each sharding strategy shards by the GPU count', () => {
    const on4 = (sharding: 'zero-1' | 'zero-2' | 'zero-3' | 'none') =>
      estimateMemory(shape, { ...full, gpus: 4, sharding });
    expect(on4('none')).toMatchObject({ weights: 2000, gradients: 2000, optimizer: 12000 });
    expect(on4('zero-1')).toMatchObject({ weights: 2000, gradients: 2000, optimizer: 3000 });
    expect(on4('zero-2')).toMatchObject({ weights: 2000, gradients: 500, optimizer: 3000 });
    // zero-3: 2000/4 + the gathered layer and a prefetched one, 2 · 2000/2 layers
    expect(on4('zero-3')).toMatchObject({
      weights: 2500,
      gradients: 500,
      optimizer: 3000,
      activations: 3528,
    });
    expect(estimateMemory(shape, { ...full, gpus: 2 })).toMatchObject({ weights: 3000, gradients: 1000 }); // fsdp default
    expect(estimateMemory(shape, { ...full, gpus: 2, sharding: 'pipeline' })).toMatchObject({
      weights: 1000,
    });
  });

  it('moves a paged optimizer to CPU RAM only when it does not fit', () => {
    const paged = { ...full, optimizer: 'paged-adamw-8bit', masterWeights: false } as const;
    // without the optimizer: 2000 + 2000 + 3528 + 100 = 7628; 8-bit state 1000·2 = 2000
    expect(estimateMemory(shape, { ...paged, gpuMemoryBytes: 9628 })).toMatchObject({
      optimizer: 2000,
      total: 9628,
    });
    expect(estimateMemory(shape, { ...paged, gpuMemoryBytes: 9000 })).toMatchObject({
      optimizer: 0,
      offloadedOptimizer: 2000,
      total: 7628,
    });
  });

  it('defaults LoRA adapters to fp32 with no master copy', () => {
    const lora = estimateMemory(shape, { ...full, method: 'lora', trainableParameters: 10 });
    // weights 2000 + 10·4; gradients 10·4; optimizer 10·8
    expect(lora).toMatchObject({ weights: 2040, gradients: 40, optimizer: 80 });
  });

  it('rejects more pipeline stages than layers, zero GPUs and unknown strategies', () => {
    expect(() => estimateMemory(shape, { ...full, gpus: 3, sharding: 'pipeline' })).toThrow(
      'pipeline over 3 GPUs but the model has 2 layers; use at most 2 GPUs for pipeline parallelism, or shard with fsdp/zero-3',
    );
    expect(() => estimateMemory(shape, { ...full, gpus: 0 })).toThrow(
      'gpus is 0; set gpus to a positive integer',
    );
    expect(() => estimateMemory(shape, { ...full, sharding: 'zero3' as 'zero-3' })).toThrow(
      /nearest: zero-3/,
    );
  });
});
