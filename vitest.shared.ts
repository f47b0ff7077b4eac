// Shared vitest settings for every package. When LORAKIT_TEST_REPORT_DIR is set (CI does), each package also
// writes a JSON report there, which .ci/run sums into one `N passed, N failed` line.
import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';
import type { ViteUserConfig } from 'vitest/config';

export function packageTestConfig(packageDir: string): ViteUserConfig {
  const reportDir = process.env['LORAKIT_TEST_REPORT_DIR'];
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts'],
      testTimeout: 60_000,
      reporters: reportDir ? ['default', 'json'] : ['default'],
      ...(reportDir ? { outputFile: { json: `${reportDir}/${basename(packageDir)}.json` } } : {}),
    },
  });
}
