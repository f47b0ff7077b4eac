/**
 * The shared PEFT fixtures (../shared/fixtures beside the repository root). A user's clone has no ../shared, so
 * tests skip with the printed reason when `fixturesDir` is undefined.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const candidate = fileURLToPath(new URL('../../../../../shared/fixtures', import.meta.url));

export const fixturesDir: string | undefined = existsSync(candidate) ? candidate : undefined;

export function fixturesSkipReason(): string {
  return `shared fixtures not found at ${candidate}: model runs skipped (they need ../shared/fixtures beside the repository)`;
}
