/**
 * The selection steps of resolveTargets that follow PEFT's matching rules: target_modules (list, full-match
 * regex or "all-linear"), exclude_modules, and the strict-mode checks that every entry and pattern key
 * matches something, with the nearest module names in the error.
 */
import { TargetError } from './errors.js';
import type { ModelModule } from './model-module.js';
import { nearestNames } from './nearest-names.js';
import { matchesNameEntry, patternKeyFor } from './peft-target-rules.js';
import { fullMatchRegex } from './target-regex.js';

export interface TargetCandidate {
  readonly module: ModelModule;
  /** Matched a target_modules entry equal to its full name: PEFT then skips layers_to_transform. */
  readonly exact: boolean;
}

export function nearestModuleNames(entry: string, modules: readonly ModelModule[]): string {
  const depth = entry.split('.').length;
  const suffixes = modules.map((module) => module.name.split('.').slice(-depth).join('.'));
  return nearestNames(entry, [...suffixes, ...modules.map((module) => module.name)], 3).join(', ');
}

/** Modules matched by target_modules (or the architecture defaults), PEFT's list or full-match regex rules. */
export function selectByConfig(
  modules: readonly ModelModule[],
  targets: string | readonly string[],
  what: string,
  prefix: string,
  strict: boolean,
): TargetCandidate[] {
  if (typeof targets === 'string') {
    if (targets.toLowerCase() === 'all-linear') {
      return modules
        .filter((m) => m.kind === 'linear' && !m.outputHead)
        .map((module) => ({ module, exact: true }));
    }
    const regex = fullMatchRegex(targets, `${prefix}${what}`);
    const matched = modules.filter((m) => regex.test(m.name));
    if (strict && matched.length === 0) {
      throw new TargetError(
        'TARGET_NO_MATCH',
        `${prefix}${what} regex "${targets}" matches no whole module name`,
        {
          fix: `a string must match the full name (e.g. "${modules[0]?.name ?? ''}"); try ".*\\.${targets}" or the list ["${targets}"]`,
        },
      );
    }
    return matched.map((module) => ({ module, exact: false }));
  }
  if (targets.length === 0) {
    throw new TargetError('TARGET_INVALID', `${prefix}${what} is an empty list`, {
      fix: 'name at least one module, or use "all-linear"',
    });
  }
  if (strict) {
    for (const entry of targets) {
      if (!modules.some((m) => matchesNameEntry(m.name, entry))) {
        throw new TargetError('TARGET_NO_MATCH', `${prefix}target module "${entry}" matches nothing`, {
          fix: `nearest: ${nearestModuleNames(entry, modules)}`,
        });
      }
    }
  }
  return modules
    .filter((m) => targets.some((entry) => matchesNameEntry(m.name, entry)))
    .map((module) => ({ module, exact: targets.includes(module.name) }));
}

/** exclude_modules: a full-match regex string, or list entries by the exact/suffix rule; empty excludes nothing. */
export function excluder(
  modules: readonly ModelModule[],
  exclude: string | readonly string[] | null,
  prefix: string,
  strict: boolean,
): (name: string) => boolean {
  if (exclude === null || exclude === undefined || exclude.length === 0) return () => false;
  if (typeof exclude === 'string') {
    const regex = fullMatchRegex(exclude, `${prefix}exclude_modules`);
    if (strict && !modules.some((m) => regex.test(m.name))) {
      throw new TargetError(
        'TARGET_NO_MATCH',
        `${prefix}exclude_modules regex "${exclude}" matches no whole module name`,
        {
          fix: `try ".*\\.${exclude}" or the list ["${exclude}"]`,
        },
      );
    }
    return (name) => regex.test(name);
  }
  for (const entry of strict ? exclude : []) {
    if (!modules.some((m) => matchesNameEntry(m.name, entry))) {
      throw new TargetError('TARGET_NO_MATCH', `${prefix}exclude_modules entry "${entry}" matches nothing`, {
        fix: `nearest: ${nearestModuleNames(entry, modules)}`,
      });
    }
  }
  return (name) => exclude.some((entry) => matchesNameEntry(name, entry));
}

export function checkPatternKeys(
  pattern: Record<string, number>,
  names: readonly string[],
  what: string,
  prefix: string,
): void {
  for (const key of Object.keys(pattern)) {
    if (!names.some((name) => patternKeyFor([key], name, `${prefix}${what} key`) !== undefined)) {
      throw new TargetError('TARGET_NO_MATCH', `${prefix}${what} key "${key}" matches no targeted module`, {
        fix: `nearest: ${nearestNames(
          key,
          names.flatMap((name) => [name.split('.').pop() ?? name, name]),
          3,
        ).join(', ')}`,
      });
    }
  }
}
