/**
 * PEFT's name-matching rules, one function each, so resolveTargets reads as the order PEFT applies them in.
 * Checked against peft 0.21 (tuners_utils.check_target_module_exists, utils.other.get_pattern_key):
 * - a list entry matches a name equal to it or ending in "." + entry;
 * - the layer index is the FIRST numbered path segment after a layers_pattern segment (or, with no pattern,
 *   after any segment that is itself preceded by one), so MoE expert indices further down are ignored;
 * - a rank_pattern / alpha_pattern key applies when `(.*\.)?(KEY)$` matches from the start of the name, and the
 *   first such key in the object's order wins.
 */
import { compileTargetRegex } from './target-regex.js';

/** PEFT's list-entry rule: the name equals the entry or ends with "." + entry ("proj" does not match "q_proj"). */
export function matchesNameEntry(name: string, entry: string): boolean {
  return name === entry || name.endsWith(`.${entry}`);
}

const regexCache = new Map<string, RegExp>();

function cached(source: string, what: string, pattern: string): RegExp {
  let regex = regexCache.get(source);
  if (!regex) {
    regex = compileTargetRegex(source, what, pattern);
    regexCache.set(source, regex);
  }
  return regex;
}

/**
 * The decoder-layer index PEFT reads from a module name, or undefined when none is found (PEFT then does not
 * target the module). Each pattern is spliced into the regex verbatim, as PEFT does.
 */
export function layerIndexFromName(
  name: string,
  layersPattern: string | readonly string[] | null,
): number | undefined {
  const patterns = typeof layersPattern === 'string' ? [layersPattern] : (layersPattern ?? []);
  // An empty pattern (null, "", []) means "any segment", per PEFT's TODO-marked behaviour.
  if (patterns.length === 0 || (typeof layersPattern === 'string' && layersPattern === '')) {
    const match = cached('^.*?\\.[^.]*\\.(\\d+)\\.', 'layers_pattern', '').exec(name);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  }
  for (const pattern of patterns) {
    const match = cached(`^(?:^|.*?\\.)${pattern}\\.(\\d+)\\.`, 'layers_pattern', pattern).exec(name);
    // With a pattern containing its own groups, the index is the last group, as PEFT names it "idx".
    const index = match?.[match.length - 1];
    if (index !== undefined) return Number(index);
  }
  return undefined;
}

/** PEFT's get_pattern_key: the first key (in object order) whose `(.*\.)?(KEY)$` matches the name, if any. */
export function patternKeyFor(keys: readonly string[], name: string, what: string): string | undefined {
  return keys.find((key) => cached(`^(?:.*\\.)?(?:${key})$`, what, key).test(name));
}
