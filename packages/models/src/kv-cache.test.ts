/**
 * KV-cached decoding gives the logits of a full forward over the whole sequence (atol 1e-5, f32 on cpu):
 * prefill then single steps, a chunk appended to a non-empty cache, and a batch with an adapter on one row.
 */
import { createLoraConfig, listModelModules, resolveTargets } from '@lorakit/core';
import { randomAdapter } from '@lorakit/core/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from './load-model.js';
import type { Model } from './model.js';
import { tinyModelFolder } from './testing/tiny-model-folder.js';
import type { TinyModelFolder } from './testing/tiny-model-folder.js';

const ATOL = 1e-5;
const sequence = [5, 17, 3, 29, 11, 0, 8, 21, 14, 2];
const other = [9, 1, 30, 4, 12, 6, 27, 19, 7, 25];

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

describe.each(['cpu', 'reference'] as const)('KV cache on %s', (backend) => {
  let folder: TinyModelFolder;
  let model: Model;
  beforeAll(async () => {
    // Llama-3 rope scaling and GQA, so positions and head groups both matter.
    folder = await tinyModelFolder({
      rope_theta: 500000,
      rope_scaling: {
        rope_type: 'llama3',
        factor: 8,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 8,
      },
    });
    model = await loadModel(folder.folder, { backend });
    const config = createLoraConfig({ r: 4, target_modules: 'all-linear' });
    model.attachAdapter(
      'a',
      randomAdapter(config, resolveTargets(listModelModules(model.config), config), { seed: 4 }),
    );
  });
  afterAll(() => {
    model.dispose();
    folder.remove();
  });

  it('prefill then one token at a time matches the full forward at every step', () => {
    const cache = model.createKvCache(1, 16);
    const prefill = model.forward({ tokens: sequence.slice(0, 4), cache });
    expect(maxAbsDifference(prefill, model.logits(sequence.slice(0, 4)))).toBeLessThanOrEqual(ATOL);
    for (let t = 4; t < sequence.length; t++) {
      const step = model.forward({ tokens: [sequence[t]!], cache });
      expect(maxAbsDifference(step, model.logits(sequence.slice(0, t + 1)))).toBeLessThanOrEqual(ATOL);
    }
    expect(cache.lengths[0]).toBe(sequence.length);
  });

  it('a chunk appended to a non-empty cache matches the full forward', () => {
    const cache = model.createKvCache(1, 16);
    model.forward({ tokens: sequence.slice(0, 3), cache, adapters: ['a'] });
    const chunk = model.forward({ tokens: sequence.slice(3), cache, adapters: ['a'] });
    expect(maxAbsDifference(chunk, model.logits(sequence, { adapter: 'a' }))).toBeLessThanOrEqual(ATOL);
    cache.dispose();
  });

  it('a batch of two sequences, one with an adapter, decodes like each alone', () => {
    const cache = model.createKvCache(2, 16);
    const adapters = ['a', null];
    model.forward({ tokens: [...sequence.slice(0, 5), ...other.slice(0, 5)], batch: 2, cache, adapters });
    let logits: Float32Array = new Float32Array(0);
    for (let t = 5; t < 10; t++)
      logits = model.forward({ tokens: [sequence[t]!, other[t]!], batch: 2, cache, adapters });
    const vocab = model.dimensions.vocab;
    expect(
      maxAbsDifference(logits.subarray(0, vocab), model.logits(sequence, { adapter: 'a' })),
    ).toBeLessThanOrEqual(ATOL);
    expect(maxAbsDifference(logits.subarray(vocab), model.logits(other))).toBeLessThanOrEqual(ATOL);
    // the adapter really changes the logits, so the comparison above could fail
    expect(
      maxAbsDifference(model.logits(sequence, { adapter: 'a' }), model.logits(sequence)),
    ).toBeGreaterThan(1e-3);
  });

  it('refuses to run past the cache length', () => {
    const cache = model.createKvCache(1, 4);
    model.forward({ tokens: sequence.slice(0, 4), cache });
    expect(() => model.forward({ tokens: [1], cache })).toThrow(
      /5 positions do not fit the KV cache of length 4/,
    );
  });
});
