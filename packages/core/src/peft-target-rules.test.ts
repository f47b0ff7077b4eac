import { describe, it, expect } from 'vitest';
import { TargetError } from './errors.js';
import { layerIndexFromName, matchesNameEntry, patternKeyFor } from './peft-target-rules.js';

// Expected values checked against Python's re with PEFT 0.21.2's expressions.

describe('matchesNameEntry', () => {
  it('is equality or a dot-suffix', () => {
    expect(matchesNameEntry('transformer.h.0.mlp.c_proj', 'c_proj')).toBe(true);
    expect(matchesNameEntry('transformer.h.0.mlp.c_proj', 'mlp.c_proj')).toBe(true);
    expect(matchesNameEntry('model.layers.0.self_attn.q_proj', 'proj')).toBe(false);
    expect(matchesNameEntry('lm_head', 'lm_head')).toBe(true);
  });
});

describe('layerIndexFromName', () => {
  it.each([
    ['model.layers.1.mlp.experts.0.gate_proj', null, 1],
    ['model.layers.1.mlp.experts.0.gate_proj', 'experts', 0],
    ['layers.3.q_proj', null, undefined],
    ['layers.3.q_proj', 'layers', 3],
    ['transformer.h.11.attn.c_attn', ['blocks', 'h'], 11],
    ['model.layers.2.self_attn.q_proj', '', 2],
    ['model.layers.2.self_attn.q_proj', 'blocks', undefined],
  ] as const)('%s with %j → %s', (name, pattern, expected) => {
    expect(layerIndexFromName(name, pattern)).toBe(expected);
  });

  it('a layers_pattern that does not compile is TARGET_INVALID', () => {
    expect(() => layerIndexFromName('model.layers.0.q_proj', 'lay(ers')).toThrow(TargetError);
  });
});

describe('patternKeyFor', () => {
  it('returns the first key matching at a dot boundary, in order', () => {
    const name = 'model.layers.1.self_attn.q_proj';
    expect(patternKeyFor(['q_proj', name], name, 'rank_pattern key')).toBe('q_proj');
    expect(patternKeyFor(['proj', '_proj'], name, 'rank_pattern key')).toBeUndefined();
    expect(patternKeyFor(['layers\\.[01]\\.self_attn\\..*'], name, 'rank_pattern key')).toBe(
      'layers\\.[01]\\.self_attn\\..*',
    );
  });

  it('accepts Python named groups', () => {
    expect(patternKeyFor(['(?P<x>q)_proj'], 'model.layers.0.self_attn.q_proj', 'rank_pattern key')).toBe(
      '(?P<x>q)_proj',
    );
  });
});
