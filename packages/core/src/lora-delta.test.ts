import { describe, expect, it } from 'vitest';
import { loraDelta } from './lora-delta.js';
import type { LoraFactors } from './lora-delta.js';

// A [2, 3], B [2, 2]: B·A = [[1, 2, 0], [3, -1, 7]].
const example: LoraFactors = {
  A: Float32Array.from([1, 0, 2, 0, 1, -1]),
  B: Float32Array.from([1, 2, 3, -1]),
  r: 2,
  in: 3,
  out: 2,
  scale: 2,
  name: 'model.layers.0.self_attn.q_proj',
};

describe('loraDelta', () => {
  it('computes scale·B·A for a hand-computed 2×3 case exactly', () => {
    expect(Array.from(loraDelta(example))).toEqual([2, 4, 0, 6, -2, 14]);
  });

  it('returns (scale·B·A)ᵀ, [in, out], with fanInFanOut', () => {
    expect(Array.from(loraDelta({ ...example, fanInFanOut: true }))).toEqual([2, 6, 4, -2, 0, 14]);
  });

  it('uses the scale it is given: rsLoRA alpha/√r = 16/√4 = 8 versus alpha/r = 4', () => {
    const rsLora = loraDelta({ ...example, scale: 16 / Math.sqrt(2) });
    const plain = loraDelta({ ...example, scale: 16 / 2 });
    // 16/√2 · 7 = 79.195959…; fp32 keeps ~7 digits.
    expect(rsLora[5]).toBeCloseTo((16 / Math.sqrt(2)) * 7, 4);
    expect(plain[5]).toBe(56);
  });

  it('names the module and tensor when a size is wrong', () => {
    expect(() => loraDelta({ ...example, A: new Float32Array(5) })).toThrow(
      /q_proj: lora_A has 5 values, expected r·in = 2·3 = 6/,
    );
    expect(() => loraDelta({ ...example, r: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => loraDelta({ ...example, scale: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => loraDelta({ ...example, B: new Float32Array(3) })).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH' }),
    );
  });
});
