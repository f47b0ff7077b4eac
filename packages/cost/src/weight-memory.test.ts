import { describe, expect, it } from 'vitest';
import { weightMemory } from './weight-memory.js';
import { TOY_SHAPE } from './testing/toy-shape.js';

// A made-up model: 1000 parameters, 800 of them in layer linears, 150 in embeddings, 50 in norms.
const shape = TOY_SHAPE;

describe('weightMemory', () => {
  it('holds every weight in its dtype for full fine-tuning', () => {
    expect(weightMemory(shape, { method: 'full', trainableParameters: 1000 })).toBe(2000); // 1000 · 2 (bf16)
    expect(weightMemory(shape, { method: 'full', trainableParameters: 1000, weightDtype: 'fp32' })).toBe(
      4000,
    );
  });

  it('adds the fp32 adapter for LoRA', () => {
    // 1000 · 2 + 10 · 4
    expect(weightMemory(shape, { method: 'lora', trainableParameters: 10 })).toBe(2040);
    expect(weightMemory(shape, { method: 'lora', trainableParameters: 10, trainableDtype: 'bf16' })).toBe(
      2020,
    );
  });

  it('stores layer linears in NF4 and the rest in 16-bit for QLoRA', () => {
    // 800 · 0.515869140625 + 200 · 2 + 10 · 4 = 412.6953125 + 400 + 40
    expect(weightMemory(shape, { method: 'qlora', trainableParameters: 10 })).toBe(852.6953125);
  });
});
