import { describe, expect, it } from 'vitest';
import { listModelModules } from './architectures.js';
import { countLoraParameters, countModelParameters, listParameterTensors } from './count-parameters.js';
import { MathError } from './errors.js';
import { getCatalogModel } from './model-catalog.js';
import { parseModelConfig } from './model-config.js';

// Totals published for each model (sum of the safetensors checkpoint's tensor sizes).
const PUBLISHED_TOTALS: [string, number][] = [
  ['llama-2-7b', 6_738_415_616],
  ['llama-2-70b', 68_976_648_192],
  ['llama-3-8b', 8_030_261_248],
  ['smollm2-135m', 134_515_008],
  ['qwen2.5-0.5b', 494_032_768],
  ['mixtral-8x7b', 46_702_792_704],
  ['phi-3-mini', 3_821_079_552],
  ['gemma-2-9b', 9_241_705_984],
  ['gpt2', 124_439_808],
];

describe('countModelParameters', () => {
  it.each(PUBLISHED_TOTALS)('%s has %i parameters', (name, total) => {
    expect(countModelParameters(getCatalogModel(name))).toBe(total);
  });

  it('counts GPT-2 from its config.json keys, n_inner null meaning 4·n_embd', () => {
    const config = parseModelConfig({
      model_type: 'gpt2',
      n_embd: 768,
      n_layer: 12,
      n_head: 12,
      n_inner: null,
      n_positions: 1024,
      vocab_size: 50257,
    });
    expect(countModelParameters(config)).toBe(124_439_808);
  });

  it('adds lm_head when the embeddings are not tied', () => {
    const tied = getCatalogModel('smollm2-135m');
    const untied = { ...tied, tie_word_embeddings: false };
    expect(countModelParameters(untied) - countModelParameters(tied)).toBe(49152 * 576);
  });

  it('lists norms and GPT-2 position embeddings as non-linear tensors', () => {
    const gpt2 = listParameterTensors(getCatalogModel('gpt2'));
    expect(gpt2).toHaveLength(12 * 4 + 3);
    expect(gpt2[0]).toEqual({ name: 'transformer.h.0.ln_1.weight', shape: [768] });
    expect(gpt2.find((tensor) => tensor.name === 'transformer.wpe.weight')?.shape).toEqual([1024, 768]);
    const gemma = listParameterTensors(getCatalogModel('gemma-2-9b'));
    expect(gemma).toHaveLength(42 * 4 + 1);
    expect(gemma.at(-1)).toEqual({ name: 'model.norm.weight', shape: [3584] });
  });
});

describe('countLoraParameters', () => {
  it('adds r·(in + out) for one 4096×4096 matrix at r=16: 0.78% of its weights', () => {
    const lora = countLoraParameters([{ r: 16, in: 4096, out: 4096 }]);
    expect(lora).toBe(131_072);
    expect(((lora / (4096 * 4096)) * 100).toFixed(2)).toBe('0.78');
  });

  it('gives 65,536,000 (0.095%) for llama-2-70b at r=16 on q, k, v and o', () => {
    const config = getCatalogModel('llama-2-70b');
    const attention = listModelModules(config).filter((module) =>
      ['.q_proj', '.k_proj', '.v_proj', '.o_proj'].some((suffix) => module.name.endsWith(suffix)),
    );
    expect(attention).toHaveLength(320);
    const lora = countLoraParameters(attention.map((module) => ({ r: 16, in: module.in, out: module.out })));
    expect(lora).toBe(65_536_000);
    expect(((lora / countModelParameters(config)) * 100).toFixed(3)).toBe('0.095');
  });

  it('is 0 for no modules and rejects a negative or fractional size', () => {
    expect(countLoraParameters([])).toBe(0);
    expect(() => countLoraParameters([{ r: -1, in: 4, out: 4 }])).toThrow(MathError);
    expect(() => countLoraParameters([{ r: 8, in: 4.5, out: 4 }])).toThrow(
      'countLoraParameters: module 0 has in = 4.5; in must be a non-negative integer',
    );
  });
});
