import { describe, expect, it } from 'vitest';
import { loraDelta } from './lora-delta.js';
import type { LoraFactors } from './lora-delta.js';
import { mergeLora, safeMergeLora, unmergeLora } from './merge-lora.js';

/** Deterministic uniform values in [−1, 1). */
function randomMatrix(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

// B·A = [[1, 2, 0], [3, -1, 7]], scale 2.
const example: LoraFactors = {
  A: Float32Array.from([1, 0, 2, 0, 1, -1]),
  B: Float32Array.from([1, 2, 3, -1]),
  r: 2,
  in: 3,
  out: 2,
  scale: 2,
  name: 'model.layers.3.mlp.up_proj',
};

describe('mergeLora / unmergeLora', () => {
  it('merges a hand-computed 2×3 example exactly', () => {
    const weight = Float32Array.from([1, 1, 1, 0, 0, 0]);
    mergeLora(weight, example);
    expect(Array.from(weight)).toEqual([3, 5, 1, 6, -2, 14]);
  });

  it('merges the transposed delta into a [in, out] weight with fanInFanOut', () => {
    const weight = Float32Array.from([1, 0, 1, 0, 1, 0]); // [3, 2]
    mergeLora(weight, { ...example, fanInFanOut: true });
    expect(Array.from(weight)).toEqual([3, 6, 5, -2, 1, 14]);
  });

  it('returns W to fp32 rounding after merge then unmerge (64×48, r 8, rsLoRA scale 16/√8)', () => {
    const lora: LoraFactors = {
      A: randomMatrix(8 * 48, 1),
      B: randomMatrix(64 * 8, 2),
      r: 8,
      in: 48,
      out: 64,
      scale: 16 / Math.sqrt(8),
    };
    const original = randomMatrix(64 * 48, 3);
    for (const fanInFanOut of [false, true]) {
      const weight = original.slice();
      mergeLora(weight, { ...lora, fanInFanOut });
      const largest = Math.max(...weight.map(Math.abs));
      expect(largest).toBeGreaterThan(5);
      unmergeLora(weight, { ...lora, fanInFanOut });
      // Each fp32 rounding is ≤ 2⁻²⁴·|value| ≈ 6e-8·|value|: 1e-6 relative to the largest merged value bounds both.
      const worst = Math.max(...weight.map((value, index) => Math.abs(value - (original[index] as number))));
      expect(worst).toBeLessThanOrEqual(1e-6 * largest);
    }
  });

  it('returns W within 1e-6 after merge then unmerge at the usual LoRA magnitudes (scale 2, |B| ≤ 0.01)', () => {
    const lora: LoraFactors = {
      A: randomMatrix(4 * 32, 4),
      B: randomMatrix(16 * 4, 5).map((value) => value * 0.01),
      r: 4,
      in: 32,
      out: 16,
      scale: 2,
    };
    const original = randomMatrix(16 * 32, 6);
    const weight = original.slice();
    mergeLora(weight, lora);
    unmergeLora(weight, lora);
    const worst = Math.max(...weight.map((value, index) => Math.abs(value - (original[index] as number))));
    expect(worst).toBeLessThanOrEqual(1e-6);
  });

  it('equals W + loraDelta to fp32 rounding', () => {
    const lora: LoraFactors = {
      A: randomMatrix(3 * 5, 7),
      B: randomMatrix(4 * 3, 8),
      r: 3,
      in: 5,
      out: 4,
      scale: 0.5,
    };
    const weight = randomMatrix(20, 9);
    const expected = loraDelta(lora).map((value, index) => value + (weight[index] as number));
    mergeLora(weight, lora);
    weight.forEach((value, index) =>
      expect(Math.abs(value - (expected[index] as number))).toBeLessThanOrEqual(1e-6),
    );
  });

  it('adds scale·lora_bias to the base bias (PEFT lora_bias) and removes it on unmerge', () => {
    const weight = new Float32Array(6);
    const bias = Float32Array.from([0.5, -0.5]);
    const lora = { ...example, bias: Float32Array.from([1, 2]) };
    mergeLora(weight, lora, bias);
    expect(Array.from(bias)).toEqual([2.5, 3.5]);
    unmergeLora(weight, lora, bias);
    expect(Array.from(bias)).toEqual([0.5, -0.5]);
    expect(Array.from(weight)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => mergeLora(weight, lora)).toThrow(/up_proj: cannot merge lora_B's bias/);
  });

  it('rejects a base weight of the wrong size, naming the module', () => {
    expect(() => mergeLora(new Float32Array(5), example)).toThrow(
      /up_proj: base weight has 5 values, expected out·in = 2·3 = 6/,
    );
  });
});

describe('safeMergeLora', () => {
  it('merges like mergeLora when everything is finite', () => {
    const weight = Float32Array.from([1, 1, 1, 0, 0, 0]);
    safeMergeLora(weight, example);
    expect(Array.from(weight)).toEqual([3, 5, 1, 6, -2, 14]);
  });

  it('refuses Inf in lora_A with NON_FINITE naming the module, and leaves W untouched', () => {
    const weight = Float32Array.from([1, 1, 1, 0, 0, 0]);
    const broken = { ...example, A: Float32Array.from([1, 0, Infinity, 0, 1, -1]) };
    expect(() => safeMergeLora(weight, broken)).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
    expect(() => safeMergeLora(weight, broken)).toThrow(
      /LoRA module model\.layers\.3\.mlp\.up_proj: merging gives a non-finite weight/,
    );
    expect(Array.from(weight)).toEqual([1, 1, 1, 0, 0, 0]);
  });

  it('refuses a merge that overflows fp32 (3e38 + 3e38) and a NaN bias, leaving W and the bias untouched', () => {
    const weight = Float32Array.from([3e38, 0, 0, 0, 0, 0]);
    const overflowing = { ...example, scale: 1.5e38 }; // ΔW[0,0] = 1.5e38·2 = 3e38
    expect(() => safeMergeLora(weight, overflowing)).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
    expect(weight[0]).toBe(Math.fround(3e38));
    const bias = Float32Array.from([1, 1]);
    const small = new Float32Array(6);
    expect(() =>
      safeMergeLora(small, { ...example, bias: Float32Array.from([Number.NaN, 0]) }, bias),
    ).toThrow(/non-finite bias/);
    expect(Array.from(small)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(bias)).toEqual([1, 1]);
  });
});
