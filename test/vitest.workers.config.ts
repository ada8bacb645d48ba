import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";
import { TEST_SECRETS } from "./support/secrets.ts";

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

// Workers-pool tests: the real Worker and Durable Object in workerd, driven over real
// WebSockets through the Worker's fetch handler. Storage is isolated per test file.
export default defineProject({
  // A project's root defaults to its config's folder; the include globs are repo-relative.
  root: root(""),
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: root("wrangler.toml") },
      remoteBindings: false,
      miniflare: {
        bindings: {
          ...TEST_SECRETS,
          // Lets tests set a tenant's clock (src/scheduler/clock.ts); never bound in wrangler.toml.
          TEST_CLOCK: "enabled",
          TEST_MIGRATIONS: await readD1Migrations(root("migrations")),
        },
      },
    })),
  ],
  test: {
    name: "workers",
    include: ["test/workers/**/*.test.ts"],
    setupFiles: ["./test/support/apply-migrations.ts"],
    globalSetup: ["./test/support/fake-provider-setup.ts"],
    testTimeout: 20_000,
  },
});
