import { Hono } from "hono";
import { z } from "zod";
import { generateToken, hashToken } from "../auth/tokens";
import { openDatabase } from "../db/client";
import { tenantsRepo } from "../db/tenants-repo";
import type { Env } from "../env";
import { DEFAULT_TENANT, TENANT_ID_PATTERN } from "./tenant-lookup";

/**
 * Operator API for tenants, behind `Authorization: Bearer <ADMIN_TOKEN>`. Tokens are shown
 * once (on create and rotate) and stored only as hashes.
 */
export const adminRoutes = new Hono<{ Bindings: Env }>();

adminRoutes.use("*", async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) return c.json({ error: "admin API disabled: ADMIN_TOKEN is not set" }, 503);
  const presented = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  const [a, b] = await Promise.all([hashToken(presented), hashToken(expected)]);
  if (!crypto.subtle.timingSafeEqual(new TextEncoder().encode(a), new TextEncoder().encode(b))) {
    return c.json({ error: "unauthorized" }, 401);
  }
  await next();
});

const CreateTenant = z.strictObject({ id: z.string().regex(TENANT_ID_PATTERN, "lowercase letters, digits and '-' (max 63)") });

const repo = (env: Env) => tenantsRepo(openDatabase(env.DB));
const publicView = (row: { id: string; status: string; createdAtMs: number; updatedAtMs: number }) => ({
  id: row.id,
  status: row.status,
  createdAtMs: row.createdAtMs,
  updatedAtMs: row.updatedAtMs,
});

adminRoutes.post("/tenants", async (c) => {
  const body = CreateTenant.safeParse(await c.req.json().catch(() => undefined));
  if (!body.success) return c.json({ error: `invalid body: ${body.error.issues.map((i) => i.message).join("; ")}` }, 400);
  const token = generateToken();
  if (!(await repo(c.env).create(body.data.id, await hashToken(token), Date.now()))) {
    return c.json({ error: "tenant exists" }, 409);
  }
  return c.json({ id: body.data.id, token }, 201);
});

adminRoutes.get("/tenants", async (c) => c.json({ tenants: (await repo(c.env).list()).map(publicView) }));

adminRoutes.get("/tenants/:id", async (c) => {
  const row = await repo(c.env).get(c.req.param("id"));
  return row ? c.json(publicView(row)) : c.json({ error: "unknown tenant" }, 404);
});

adminRoutes.post("/tenants/:id/rotate", async (c) => {
  const id = c.req.param("id");
  if (id === DEFAULT_TENANT && c.env.ARGENT_GATEWAY_TOKEN) {
    return c.json({ error: "the default tenant's token is ARGENT_GATEWAY_TOKEN; change it there" }, 409);
  }
  const token = generateToken();
  const hash = await hashToken(token);
  if (!(await repo(c.env).setToken(id, hash, Date.now()))) return c.json({ error: "unknown tenant" }, 404);
  const closed = await c.env.GATEWAY.getByName(id).tokenRotated(hash);
  return c.json({ id, token, closedConnections: closed });
});

adminRoutes.post("/tenants/:id/disable", async (c) => {
  const id = c.req.param("id");
  if (!(await repo(c.env).setStatus(id, "disabled", Date.now()))) return c.json({ error: "unknown tenant" }, 404);
  const closed = await c.env.GATEWAY.getByName(id).shutdown("tenant disabled");
  return c.json({ id, status: "disabled", closedConnections: closed });
});

adminRoutes.post("/tenants/:id/enable", async (c) => {
  const id = c.req.param("id");
  if (!(await repo(c.env).setStatus(id, "active", Date.now()))) return c.json({ error: "unknown tenant" }, 404);
  return c.json({ id, status: "active" });
});
