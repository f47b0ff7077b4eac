// Shared vitest settings for every package. When LORAKIT_TEST_REPORT_DIR is set (CI does), each package also
// writes a JSON report there, which .ci/run sums into one `N passed, N failed` line.
// `*.interop.test.ts` (checks against the real PEFT, needing Python) run only with LORAKIT_INTEROP=1, which
// `pnpm test:interop` sets; then nothing else runs.
import { basename } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';
import type { ViteUserConfig } from 'vitest/config';

const INTEROP_TESTS = 'src/**/*.interop.test.ts';

export function packageTestConfig(packageDir: string): ViteUserConfig {
  const reportDir = process.env['LORAKIT_TEST_REPORT_DIR'];
  const interop = process.env['LORAKIT_INTEROP'] === '1';
  return defineConfig({
    test: {
      include: interop ? [INTEROP_TESTS] : ['src/**/*.test.ts'],
      exclude: interop ? [...configDefaults.exclude] : [...configDefaults.exclude, '**/*.interop.test.ts'],
      // Packages without interop tests have nothing to run then; that is not a failure.
      passWithNoTests: interop,
      testTimeout: 60_000,
      reporters: reportDir ? ['default', 'json'] : ['default'],
      ...(reportDir ? { outputFile: { json: `${reportDir}/${basename(packageDir)}.json` } } : {}),
    },
  });
}
