import type { TenantGateway } from "../durable-objects/tenant-gateway";

/** Bindings and secrets of the Worker (see wrangler.toml and README "Configuration"). */
export interface Env {
  DB: D1Database;
  GATEWAY: DurableObjectNamespace<TenantGateway>;
  /** Bearer token guarding /admin. Without it the admin API answers 503. */
  ADMIN_TOKEN?: string;
  /** When set, tenant `default` exists with this gateway token (local/single-user mode). */
  ARGENT_GATEWAY_TOKEN?: string;
  /** base64 of 32 random bytes: AES-GCM key for secret config values. */
  CONFIG_ENCRYPTION_KEY?: string;
  /** When set, `<tenant>.<BASE_DOMAIN>` resolves to that tenant. */
  BASE_DOMAIN?: string;
  /** Workers AI binding: only in the `production` environment (locally it needs a login). */
  AI?: Ai;
  /**
   * Operator-wide provider keys, used by tenants that configured none. Which secret belongs
   * to which provider is data: `envKey` in src/agent/model-catalog.ts.
   */
  ANTHROPIC_API_KEY?: string;
  OPENAI_API_KEY?: string;
  /** Test-only (set by the vitest config, never in wrangler.toml): lets tests set the tenant's clock. */
  TEST_CLOCK?: string;
}
