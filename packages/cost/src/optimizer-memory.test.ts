import { describe, expect, it } from 'vitest';
import { optimizerMemory } from './optimizer-memory.js';

describe('optimizerMemory', () => {
  it('counts AdamW as two fp32 moments, plus an fp32 master copy in mixed precision', () => {
    expect(optimizerMemory({ trainableParameters: 100, optimizer: 'adamw', masterWeights: false })).toBe(800); // 100 · 8
    expect(optimizerMemory({ trainableParameters: 100, optimizer: 'adamw', masterWeights: true })).toBe(1200); // 100 · 12
  });

  it('counts 8-bit AdamW as 2 bytes per parameter, paged or not', () => {
    expect(optimizerMemory({ trainableParameters: 100, optimizer: 'adamw-8bit', masterWeights: false })).toBe(
      200,
    );
    expect(
      optimizerMemory({ trainableParameters: 100, optimizer: 'paged-adamw-8bit', masterWeights: false }),
    ).toBe(200);
  });

  it('names the nearest optimizers for an unknown one', () => {
    expect(() =>
      optimizerMemory({ trainableParameters: 1, optimizer: 'adam8bit' as 'adamw', masterWeights: false }),
    ).toThrow(/^unknown optimizer "adam8bit"; nearest: adamw-8bit/);
  });
});
