import { describe, expect, it } from 'vitest';
import { resolveArchitecture } from './architectures.js';
import { countModelParameters } from './count-parameters.js';
import { ArchitectureError } from './errors.js';
import { getCatalogModel, MODEL_CATALOG } from './model-catalog.js';
import { parseModelConfig } from './model-config.js';

describe('MODEL_CATALOG', () => {
  it('has an entry per model with a Hugging Face repo and a known architecture', () => {
    for (const [name, entry] of Object.entries(MODEL_CATALOG)) {
      expect(entry.repo, name).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(() => resolveArchitecture(getCatalogModel(name)), name).not.toThrow();
    }
  });

  it('holds configs that parseModelConfig accepts unchanged', () => {
    for (const [name, entry] of Object.entries(MODEL_CATALOG)) {
      expect(parseModelConfig(structuredClone(entry.config), { source: name })).toEqual(
        getCatalogModel(name),
      );
    }
  });

  it('gives totals near the published sizes for the models not pinned elsewhere', () => {
    expect(countModelParameters(getCatalogModel('llama-2-13b'))).toBe(13_015_864_320);
    expect(countModelParameters(getCatalogModel('llama-3-70b'))).toBe(70_553_706_496);
    expect(countModelParameters(getCatalogModel('llama-3.1-405b'))).toBe(405_853_388_800);
    expect(countModelParameters(getCatalogModel('mistral-7b'))).toBe(7_241_732_096);
    expect(countModelParameters(getCatalogModel('qwen2.5-7b'))).toBe(7_615_616_512);
    expect(countModelParameters(getCatalogModel('qwen2.5-72b'))).toBe(72_706_203_648);
    expect(countModelParameters(getCatalogModel('smollm2-360m'))).toBe(361_821_120);
    expect(countModelParameters(getCatalogModel('smollm2-1.7b'))).toBe(1_711_376_384);
  });
});

describe('getCatalogModel', () => {
  it('returns a copy that callers may change', () => {
    const config = getCatalogModel('llama-3.1-8b');
    expect(config.rope_scaling).toEqual({
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 8192,
      rope_type: 'llama3',
    });
    if (config.rope_scaling) config.rope_scaling['factor'] = 2;
    expect(getCatalogModel('llama-3.1-8b').rope_scaling?.['factor']).toBe(8);
    expect(config.extra).toEqual({});
  });

  it('names the nearest models for an unknown name', () => {
    expect(() => getCatalogModel('llama2-7b')).toThrow(ArchitectureError);
    expect(() => getCatalogModel('llama2-7b')).toThrow(
      'unknown catalog model "llama2-7b"; nearest: llama-2-7b, llama-2-70b, llama-2-13b; use one of those names',
    );
    // Names inherited from Object.prototype are not models.
    expect(() => getCatalogModel('toString')).toThrow(expect.objectContaining({ code: 'CATALOG_UNKNOWN' }));
  });
});
