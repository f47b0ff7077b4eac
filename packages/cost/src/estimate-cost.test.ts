import { describe, expect, it } from 'vitest';
import { getCatalogModel } from '@lorakit/core';
import { estimateCost } from './estimate-cost.js';

describe('estimateCost', () => {
  const llama7b = getCatalogModel('llama-2-7b');

  it('reports parameters, memory parts, FLOPs, time, money and storage for LoRA', () => {
    const cost = estimateCost(llama7b, { method: 'lora', rank: 16, tokens: 1e6 });
    // r=16 on q,k,v,o: 32 layers · 4 · 16 · (4096 + 4096) = 16,777,216
    expect(cost.trainableParameters).toBe(16_777_216);
    expect(cost.totalParameters).toBe(6_738_415_616);
    const { weights, gradients, optimizer, activations, overhead, total } = cost.memory;
    expect(weights + gradients + optimizer + activations + overhead).toBe(total);
    expect(weights).toBe(6_738_415_616 * 2 + 16_777_216 * 4);
    expect(cost.adapterBytes).toBe(33_554_432); // 16,777,216 · 2 (bf16)
    expect(cost.checkpointBytes).toBe(13_476_831_232); // 6,738,415,616 · 2
    expect(cost.fits).toBe(true);
    // hours = FLOPs / (312e12 · 0.4) / 3600 on one a100-80gb at $1.79
    expect(cost.hours).toBeCloseTo(cost.trainFlops / (312e12 * 0.4) / 3600, 12);
    expect(cost.usd).toBeCloseTo(cost.hours * 1.79, 12);
  });

  it('needs far less memory for QLoRA than LoRA, and more for full fine-tuning', () => {
    const plan = { checkpointing: true } as const;
    const lora = estimateCost(llama7b, { ...plan, method: 'lora' }).memory.total;
    const qlora = estimateCost(llama7b, { ...plan, method: 'qlora' }).memory.total;
    const full = estimateCost(llama7b, { ...plan, method: 'full' }).memory.total;
    expect(qlora).toBeLessThan(lora * 0.6);
    expect(full).toBeGreaterThan(lora * 5);
  });

  it('passes bad input on as typed errors', () => {
    expect(() => estimateCost(llama7b, { method: 'lora', gpu: 'h100' })).toThrow(
      /^unknown GPU "h100"; nearest: .*h100-80gb/,
    );
    expect(() => estimateCost(llama7b, { method: 'lora', tokens: -5 })).toThrow(/^tokens is -5/);
    expect(() => estimateCost({ model_type: 't5', extra: {} }, { method: 'lora' })).toThrow(
      /model_type "t5" is not supported/,
    );
  });
});
