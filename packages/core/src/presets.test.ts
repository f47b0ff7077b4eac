import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { GUIDE_DEFAULTS, RANK_PRESETS, TARGET_PRESET_MODULES, rankForUse } from './presets.js';

describe('RANK_PRESETS', () => {
  it('holds the decision guide ranks with alpha = 2·rank', () => {
    expect(Object.entries(RANK_PRESETS).map(([name, preset]) => [name, preset.rank, preset.alpha])).toEqual([
      ['simple', 8, 16],
      ['default', 16, 32],
      ['complex', 32, 64],
      ['near-full', 64, 128],
    ]);
    expect(RANK_PRESETS.complex.use).toBe('complex tasks or several behaviours');
  });

  it('rankForUse returns the row, and names the choices for an unknown use', () => {
    expect(rankForUse('near-full')).toEqual({ rank: 64, alpha: 128, use: 'near full fine-tune' });
    expect(() => rankForUse('complx')).toThrow(ConfigError);
    expect(() => rankForUse('complx')).toThrow(
      'rank preset "complx" is unknown; use one of simple, default, complex, near-full (nearest: complex)',
    );
    expect(() => rankForUse('toString')).toThrow(ConfigError);
  });
});

describe('TARGET_PRESET_MODULES and GUIDE_DEFAULTS', () => {
  it('lists the target presets', () => {
    expect(TARGET_PRESET_MODULES).toEqual({
      minimum: ['q_proj', 'v_proj'],
      recommended: ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
      maximum: 'all-linear',
    });
  });

  it('defaults to the general rank and the recommended targets', () => {
    expect(GUIDE_DEFAULTS).toEqual({
      r: 16,
      lora_alpha: 32,
      targetPreset: 'recommended',
      lora_dropout: 0.05,
    });
  });
});
