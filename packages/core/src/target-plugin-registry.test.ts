import { describe, it, expect } from 'vitest';
import { LorakitError } from './errors.js';
import {
  getTargetPlugin,
  listTargetPlugins,
  registerTargetPlugin,
  unregisterTargetPlugin,
} from './target-plugin-registry.js';
import { TARGET_PRESETS } from './target-presets.js';

function caught(run: () => unknown): LorakitError {
  try {
    run();
  } catch (error) {
    if (error instanceof LorakitError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('target plugin registry', () => {
  it('starts with the built-in presets', () => {
    expect(
      listTargetPlugins()
        .map((p) => p.name)
        .slice(0, 3),
    ).toEqual(['minimum', 'recommended', 'maximum']);
    expect(getTargetPlugin('recommended')).toBe(TARGET_PRESETS.recommended);
  });

  it('registers, lists, refuses duplicates and unregisters', () => {
    const plugin = registerTargetPlugin({ name: 'registry-test-plugin', filter: { names: ['up_proj'] } });
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(getTargetPlugin('registry-test-plugin')).toBe(plugin);
    expect(listTargetPlugins().map((p) => p.name)).toContain('registry-test-plugin');
    const duplicate = caught(() => registerTargetPlugin({ name: 'registry-test-plugin' }));
    expect(duplicate.code).toBe('PLUGIN_INVALID');
    expect(duplicate.message).toBe(
      'target plugin "registry-test-plugin" is already registered; give the plugin a unique name, or unregister the other one first',
    );
    expect(caught(() => registerTargetPlugin({ name: 'maximum' })).code).toBe('PLUGIN_INVALID');
    expect(unregisterTargetPlugin('registry-test-plugin')).toBe(true);
    expect(unregisterTargetPlugin('registry-test-plugin')).toBe(false);
    expect(caught(() => unregisterTargetPlugin('minimum')).code).toBe('PLUGIN_INVALID');
  });

  it('an unknown name is TARGET_INVALID with the nearest names', () => {
    const error = caught(() => getTargetPlugin('recomended'));
    expect(error.code).toBe('TARGET_INVALID');
    expect(error.message).toBe(
      'target plugin "recomended" is not registered; nearest: recommended, minimum, maximum',
    );
  });

  it('validates before registering', () => {
    expect(caught(() => registerTargetPlugin({ name: 'Bad Name' })).code).toBe('PLUGIN_INVALID');
  });
});
