import type { D1Migration } from "cloudflare:test";
import type { Env } from "../../src/env";

declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      GATEWAY: import("../../src/env").Env["GATEWAY"];
      ADMIN_TOKEN: string;
      ARGENT_GATEWAY_TOKEN: string;
      CONFIG_ENCRYPTION_KEY: string;
      TEST_MIGRATIONS: D1Migration[];
      TEST_CLOCK: string;
    }
  }
}
export type { Env };
