// Prints one plain closing line for the CI log, "tests: N passed, N failed, N skipped", summed over
// the vitest JSON reports that .ci/run asked each `npm test` to write (one per Node version).
// Written by hand because vitest's own summary is coloured and spread over several lines, and a
// CI reader should not have to parse it.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const file of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const passed = report.numPassedTests ?? 0;
  const failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(`${basename(file, '.json')}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
}
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
