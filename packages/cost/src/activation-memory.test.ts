import { describe, expect, it } from 'vitest';
import { getCatalogModel } from '@lorakit/core';
import { activationMemory } from './activation-memory.js';
import { modelShape } from './model-shape.js';
import { TOY_SHAPE } from './testing/toy-shape.js';

// h = 8, q = 2·4 = 8, kv = 1·4 = 4, i = 16, L = 2, V = 10
const shape = TOY_SHAPE;
const base = { sequenceLength: 3, batchSize: 2, activationBytes: 2, checkpointing: false }; // T = 6 tokens

describe('activationMemory', () => {
  it('keeps every layer without checkpointing', () => {
    const memory = activationMemory(shape, base);
    // per layer per token: 2·(4·8 + 2·8 + 2·4 + 4·16) + 4·2 = 2·120 + 8 = 248
    expect(memory.perLayerPerToken).toBe(248);
    expect(memory.layers).toBe(2976); // 6 tokens · 2 layers · 248
    // final norm and head inputs 2·6·2·8 = 192; logits 6·10·2 = 120; fp32 upcast 6·10·4 = 240
    expect(memory.head).toBe(552);
    expect(memory.total).toBe(3528);
  });

  it('keeps layer inputs and one recomputed layer with checkpointing', () => {
    // 6 · (2 layers · 2 bytes · 8 + 248) = 6 · 280
    expect(activationMemory(shape, { ...base, checkpointing: true }).layers).toBe(1680);
  });

  it('upcasts the logits one chunk at a time, and not at all in fp32', () => {
    expect(activationMemory(shape, { ...base, lossChunks: 4 }).head).toBe(192 + 120 + 60); // 240 / 4
    // fp32: per layer 4·120 + 8 = 488; head 2·6·4·8 + 6·10·4 = 384 + 240, no upcast
    const fp32 = activationMemory(shape, { ...base, activationBytes: 4 });
    expect(fp32.perLayerPerToken).toBe(488);
    expect(fp32.head).toBe(624);
  });

  it('gives 168,064 bytes per token per layer for Llama-3.1-8B in bf16', () => {
    // 2·(4·4096 + 2·4096 + 2·1024 + 4·14336) + 4·32 = 2·83,968 + 128
    const memory = activationMemory(modelShape(getCatalogModel('llama-3.1-8b')), {
      ...base,
      sequenceLength: 2048,
      batchSize: 1,
    });
    expect(memory.perLayerPerToken).toBe(168_064);
    expect(memory.layers).toBe(2048 * 32 * 168_064);
  });
});
