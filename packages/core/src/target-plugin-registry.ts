/**
 * The registry of target plugins by name. It starts with the built-in presets (minimum, recommended,
 * maximum) without any import side effect: the table is read when the registry is first used.
 */
import { LorakitError, TargetError } from './errors.js';
import { nearestNames } from './nearest-names.js';
import { defineTargetPlugin } from './target-plugin.js';
import type { TargetPlugin } from './target-plugin.js';
import { TARGET_PRESETS } from './target-presets.js';

let registry: Map<string, TargetPlugin> | undefined;

function plugins(): Map<string, TargetPlugin> {
  registry ??= new Map(Object.values(TARGET_PRESETS).map((plugin) => [plugin.name, plugin]));
  return registry;
}

/**
 * Validates (defineTargetPlugin) and registers a plugin under its name; returns the frozen plugin.
 * A name already taken, built-in or not, throws LorakitError PLUGIN_INVALID.
 */
export function registerTargetPlugin(plugin: TargetPlugin): TargetPlugin {
  const defined = defineTargetPlugin(plugin);
  if (plugins().has(defined.name)) {
    throw new LorakitError('PLUGIN_INVALID', `target plugin "${defined.name}" is already registered`, {
      fix: 'give the plugin a unique name, or unregister the other one first',
    });
  }
  plugins().set(defined.name, defined);
  return defined;
}

/** Removes a registered plugin; returns whether it was there. Built-in presets cannot be removed. */
export function unregisterTargetPlugin(name: string): boolean {
  if (Object.hasOwn(TARGET_PRESETS, name)) {
    throw new LorakitError(
      'PLUGIN_INVALID',
      `target plugin "${name}" is built in and cannot be unregistered`,
      {
        fix: 'register your own plugin under another name',
      },
    );
  }
  return plugins().delete(name);
}

/** The plugin registered under `name`; unknown names throw TargetError TARGET_INVALID with the nearest names. */
export function getTargetPlugin(name: string): TargetPlugin {
  const plugin = plugins().get(name);
  if (plugin) return plugin;
  throw new TargetError('TARGET_INVALID', `target plugin "${name}" is not registered`, {
    fix: `nearest: ${nearestNames(name, plugins().keys(), 3).join(', ')}`,
  });
}

/** Every registered plugin, built-in presets first, then in registration order. */
export function listTargetPlugins(): TargetPlugin[] {
  return [...plugins().values()];
}
