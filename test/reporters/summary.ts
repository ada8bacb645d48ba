// Prints one closing line `N passed, N failed, N skipped` after a vitest run (CI reads it).
// A test file that failed outside its tests (load error, failing beforeAll/afterAll) and every
// unhandled error count as one failure each, so a broken file can never look green.
// With ARGENT_TEST_SUMMARY_FILE set (by .ci/run), the counts are appended to that file as a JSON
// line instead, and .ci/run adds them up and prints the closing line itself.
import { appendFileSync } from "node:fs";
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from "vitest/node";

export interface SummaryCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export function countResults(
  testModules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<unknown>,
): SummaryCounts {
  const counts: SummaryCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const mod of testModules) {
    for (const test of mod.children.allTests()) {
      const state = test.result().state;
      if (state === "passed") counts.passed++;
      else if (state === "skipped") counts.skipped++;
      else counts.failed++; // "failed", or "pending": never finished
    }
    if (mod.errors().length > 0) counts.failed++;
  }
  counts.failed += unhandledErrors.length;
  return counts;
}

export function formatSummary({ passed, failed, skipped }: SummaryCounts): string {
  return `${passed} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : "");
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    _reason: TestRunEndReason,
  ): void {
    const counts = countResults(testModules, unhandledErrors);
    const file = process.env.ARGENT_TEST_SUMMARY_FILE;
    if (file) appendFileSync(file, JSON.stringify(counts) + "\n");
    else process.stdout.write(`\n${formatSummary(counts)}\n`);
  }
}
