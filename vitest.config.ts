import { defineConfig } from "vitest/config";

// `npm test` runs both projects in one vitest run; the summary reporter prints the
// closing `N passed, N failed` line that CI reads.
export default defineConfig({
  test: {
    projects: ["test/vitest.workers.config.ts", "test/e2e/vitest.config.ts"],
    reporters: ["default", "./test/reporters/summary.ts"],
  },
});
