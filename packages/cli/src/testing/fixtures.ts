/**
 * The shared PEFT fixtures (../shared/fixtures beside the repository root) for conformance tests. A user's clone
 * has no ../shared, so callers skip with the printed reason when `fixturesDir` is undefined.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const candidate = fileURLToPath(new URL('../../../../../shared/fixtures', import.meta.url));

export const fixturesDir: string | undefined = existsSync(candidate) ? candidate : undefined;

export function fixturesSkipReason(): string {
  return `shared fixtures not found at ${candidate}: PEFT conformance tests skipped (they need ../shared/fixtures beside the repository)`;
}
