// Sums vitest JSON reports (one per package) into the one line CI reads: "N passed, N failed, N skipped".
// Exits non-zero when a test failed, a suite failed to load, or no test ran at all.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
let brokenSuites = 0;
for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  brokenSuites += (report.testResults ?? []).filter(
    (suite) => suite.status === 'failed' && suite.assertionResults?.length === 0,
  ).length;
}
if (brokenSuites > 0) console.log(`${brokenSuites} test file(s) failed to load`);
failed += brokenSuites;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
