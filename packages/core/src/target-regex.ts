/**
 * Python regular expressions from adapter_config.json (target_modules, exclude_modules, rank_pattern keys,
 * layers_pattern), compiled to JavaScript with the anchoring PEFT uses. The two dialects agree on everything
 * module names need; Python's named groups `(?P<name>…)` / `(?P=name)` are rewritten, other Python-only syntax
 * is reported as a TargetError instead of escaping as a SyntaxError.
 */
import { TargetError } from './errors.js';

/** Rewrites the Python-only named-group syntax into JavaScript's. */
export function toJavaScriptSource(pattern: string): string {
  return pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
}

/**
 * Compiles `source` (already wrapped by the caller) or throws TARGET_INVALID naming `what` and the pattern.
 * No `u` flag: Python accepts escapes such as `\-` that unicode-mode JavaScript rejects.
 */
export function compileTargetRegex(source: string, what: string, pattern: string): RegExp {
  try {
    return new RegExp(toJavaScriptSource(source));
  } catch (error) {
    throw new TargetError('TARGET_INVALID', `${what} "${pattern}" is not a valid regular expression`, {
      fix: 'write a Python/JavaScript regex such as ".*\\.(q|v)_proj"',
      cause: error,
    });
  }
}

/** Python's `re.fullmatch(pattern, name)`: the pattern must match the whole name. */
export function fullMatchRegex(pattern: string, what: string): RegExp {
  return compileTargetRegex(`^(?:${pattern})$`, what, pattern);
}
