import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// End-to-end tests: Node environment, the real `npm run dev` (wrangler dev) on a free port
// with a scratch state dir. One file at a time: each starts its own server.
export default defineProject({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    name: "e2e",
    environment: "node",
    include: ["test/e2e/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
