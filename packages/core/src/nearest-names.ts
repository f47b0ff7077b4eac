/** Edit distance and "did you mean" suggestions, used by every error that names a close alternative. */

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidates closest to `name` by edit distance (ties keep input order), at most `limit`, deduplicated.
 * Candidates that contain `name` or are contained in it rank first: "proj" should suggest "q_proj".
 */
export function nearestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const unique = [...new Set(candidates)];
  const scored = unique.map((candidate, order) => {
    const containment = candidate.includes(name) || name.includes(candidate) ? -0.5 : 0;
    return { candidate, order, score: editDistance(name, candidate) + containment };
  });
  scored.sort((x, y) => x.score - y.score || x.order - y.order);
  return scored.slice(0, limit).map((entry) => entry.candidate);
}
