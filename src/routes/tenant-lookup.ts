import { hashToken } from "../auth/tokens";
import { openDatabase } from "../db/client";
import { tenantsRepo, type TenantRow } from "../db/tenants-repo";
import type { Env } from "../env";

export const DEFAULT_TENANT = "default";
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Which tenant a WebSocket request is for: `/t/<id>/ws`, `<id>.<BASE_DOMAIN>`, or `default`. */
export function tenantFromHost(host: string | undefined, baseDomain: string | undefined): string {
  if (!host || !baseDomain) return DEFAULT_TENANT;
  const hostname = host.split(":")[0]!.toLowerCase();
  const suffix = `.${baseDomain.toLowerCase()}`;
  if (!hostname.endsWith(suffix)) return DEFAULT_TENANT;
  const sub = hostname.slice(0, -suffix.length);
  return TENANT_ID_PATTERN.test(sub) ? sub : DEFAULT_TENANT;
}

/**
 * Local / single-user mode: with ARGENT_GATEWAY_TOKEN set, tenant `default` exists and
 * carries that token. Checked once per isolate; the row is written only when it differs.
 */
let bootstrapped: Promise<void> | undefined;
function ensureBootstrapTenant(env: Env): Promise<void> {
  const token = env.ARGENT_GATEWAY_TOKEN;
  if (!token) return Promise.resolve();
  bootstrapped ??= (async () => {
    const repo = tenantsRepo(openDatabase(env.DB));
    const hash = await hashToken(token);
    const row = await repo.get(DEFAULT_TENANT);
    if (!row || row.tokenHash !== hash) await repo.upsertToken(DEFAULT_TENANT, hash, Date.now());
  })().catch((err) => {
    bootstrapped = undefined;
    throw err;
  });
  return bootstrapped;
}

/** The tenant's row if it may be connected to (exists and is active). */
export async function findActiveTenant(env: Env, tenantId: string): Promise<TenantRow | undefined> {
  if (!TENANT_ID_PATTERN.test(tenantId)) return undefined;
  if (tenantId === DEFAULT_TENANT) await ensureBootstrapTenant(env);
  const row = await tenantsRepo(openDatabase(env.DB)).get(tenantId);
  return row?.status === "active" ? row : undefined;
}
