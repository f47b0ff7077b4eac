import { describe, expect, it } from 'vitest';
import { adapterFromTensors } from './adapter.js';
import { parseLoraConfig } from './lora-config.js';
import { mergeAdapter } from './merge-adapter.js';
import { fromFloat32, toFloat32 } from './tensor.js';
import type { Tensor } from './tensor.js';

const tensor = (values: number[], shape: number[]): Tensor => fromFloat32(values, shape);
const values = (t: Tensor | undefined): number[] => Array.from(toFloat32(t as Tensor));

describe('mergeAdapter', () => {
  // W [2, 3], A [1, 3], B [2, 1]; B·A = [[1·1, 1·2, 1·3], [2·1, 2·2, 2·3]]
  const base = new Map([
    ['layer.proj.weight', tensor([0, 0, 0, 1, 1, 1], [2, 3])],
    ['layer.proj.bias', tensor([10, 20], [2])],
    ['other.weight', tensor([5], [1])],
  ]);
  const lora = (extra: Record<string, unknown> = {}, more: [string, Tensor][] = []) =>
    adapterFromTensors(
      parseLoraConfig({ r: 1, lora_alpha: 0.5, ...extra }),
      new Map([
        ['layer.proj.lora_A.weight', tensor([1, 2, 3], [1, 3])],
        ['layer.proj.lora_B.weight', tensor([1, 2], [2, 1])],
        ...more,
      ]),
    );

  it('adds scale·B·A and reports the largest change; other tensors pass through untouched', () => {
    const result = mergeAdapter(base, lora());
    expect(values(result.tensors.get('layer.proj.weight'))).toEqual([0.5, 1, 1.5, 2, 3, 4]);
    expect(result.maxAbsDelta).toBe(3);
    expect(result.tensors.get('other.weight')).toBe(base.get('other.weight'));
    expect(values(base.get('layer.proj.weight'))).toEqual([0, 0, 0, 1, 1, 1]); // inputs unchanged
  });

  it('adds scale·lora_B.bias to the base bias (lora_bias)', () => {
    const result = mergeAdapter(
      base,
      lora({ lora_bias: true }, [['layer.proj.lora_B.bias', tensor([2, 4], [2])]]),
    );
    expect(values(result.tensors.get('layer.proj.bias'))).toEqual([11, 22]);
  });

  it('merges DoRA: rows rescaled to the magnitude vector', () => {
    const result = mergeAdapter(
      base,
      lora({ use_dora: true }, [['layer.proj.lora_magnitude_vector', tensor([1, 6], [2])]]),
    );
    // row 0: [0.5, 1, 1.5] has norm √3.5 → scaled to norm 1; row 1: [2, 3, 4] has norm √29 → norm 6
    const merged = values(result.tensors.get('layer.proj.weight'));
    const n0 = Math.sqrt(3.5);
    const n1 = Math.sqrt(29);
    [0.5 / n0, 1 / n0, 1.5 / n0, (6 * 2) / n1, (6 * 3) / n1, (6 * 4) / n1].forEach((want, i) =>
      expect(merged[i]).toBeCloseTo(want, 6),
    );
  });

  it('merges embedding LoRA as scale·(B·A)ᵀ into the [vocab, width] table', () => {
    const embeddings = new Map([['embed.weight', tensor([0, 0, 0, 0, 0, 0], [3, 2])]]);
    const adapter = adapterFromTensors(
      parseLoraConfig({ r: 1, lora_alpha: 1 }),
      new Map([
        ['embed.lora_embedding_A', tensor([1, 2, 3], [1, 3])],
        ['embed.lora_embedding_B', tensor([10, 100], [2, 1])],
      ]),
    );
    expect(values(mergeAdapter(embeddings, adapter).tensors.get('embed.weight'))).toEqual([
      10, 100, 20, 200, 30, 300,
    ]);
  });

  it('replaces base tensors with the full copies the adapter saved (modules_to_save, base_layer)', () => {
    const adapter = lora({ modules_to_save: ['other'] }, [
      ['other.weight', tensor([9], [1])],
      ['layer.proj.base_layer.weight', tensor([1, 1, 1, 1, 1, 1], [2, 3])],
    ]);
    const merged = mergeAdapter(base, adapter).tensors;
    expect(values(merged.get('other.weight'))).toEqual([9]);
  });

  it('merges embedding LoRA on top of the embedding layer PEFT saved beside it', () => {
    const embeddings = new Map([['model.embed_tokens.weight', tensor([0, 0, 0, 0, 0, 0], [3, 2])]]);
    const adapter = adapterFromTensors(
      parseLoraConfig({ r: 1, lora_alpha: 1 }),
      new Map([
        ['model.embed_tokens.lora_embedding_A', tensor([1, 2, 3], [1, 3])],
        ['model.embed_tokens.lora_embedding_B', tensor([10, 100], [2, 1])],
        ['model.embed_tokens.base_layer.weight', tensor([1, 1, 1, 1, 1, 1], [3, 2])],
      ]),
    );
    const result = mergeAdapter(embeddings, adapter);
    expect(values(result.tensors.get('model.embed_tokens.weight'))).toEqual([11, 101, 21, 201, 31, 301]);
    expect(result.maxAbsDelta).toBe(300);
  });

  it('finds GPT-2 weights saved without the "transformer." prefix', () => {
    const gpt2 = new Map([['h.0.attn.c_attn.weight', tensor([0, 0, 0, 0, 0, 0], [3, 2])]]);
    const adapter = adapterFromTensors(
      parseLoraConfig({ r: 1, lora_alpha: 1, fan_in_fan_out: true }),
      new Map([
        ['transformer.h.0.attn.c_attn.lora_A.weight', tensor([1, 2, 3], [1, 3])],
        ['transformer.h.0.attn.c_attn.lora_B.weight', tensor([1, 10], [2, 1])],
      ]),
    );
    // W is [in=3, out=2]: W[i][o] = B[o]·A[i]
    expect(values(mergeAdapter(gpt2, adapter).tensors.get('h.0.attn.c_attn.weight'))).toEqual([
      1, 10, 2, 20, 3, 30,
    ]);
  });

  it('stores merged weights in the base dtype, or the requested one', () => {
    const half = new Map([['layer.proj.weight', fromFloat32([0, 0, 0, 1, 1, 1], [2, 3], 'F16')]]);
    expect(mergeAdapter(half, lora()).tensors.get('layer.proj.weight')?.dtype).toBe('F16');
    expect(mergeAdapter(half, lora(), { dtype: 'BF16' }).tensors.get('layer.proj.weight')?.dtype).toBe(
      'BF16',
    );
  });

  it('refuses non-finite results, a missing base tensor and a shape mismatch', () => {
    const broken = adapterFromTensors(
      parseLoraConfig({ r: 1, lora_alpha: 1 }),
      new Map([
        ['layer.proj.lora_A.weight', tensor([Number.NaN, 0, 0], [1, 3])],
        ['layer.proj.lora_B.weight', tensor([1, 1], [2, 1])],
      ]),
    );
    expect(() => mergeAdapter(base, broken)).toThrow(/non-finite/);
    expect(() => mergeAdapter(new Map(), lora(), { source: 'base/' })).toThrow(
      'base/: has no tensor "layer.proj.weight" for the adapter to merge into',
    );
    expect(() =>
      mergeAdapter(new Map([['layer.proj.weight', tensor([0, 0, 0, 0, 0, 0], [3, 2])]]), lora()),
    ).toThrow(`layer.proj.weight has shape [3, 2] but the adapter's module "layer.proj" needs [2, 3]`);
  });
});
