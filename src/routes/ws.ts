import { Hono } from "hono";
import { TENANT_HEADER } from "../../durable-objects/tenant-gateway";
import type { Env } from "../env";
import { findActiveTenant, tenantFromHost } from "./tenant-lookup";

/**
 * WebSocket entry points. The Worker never holds a socket (it could not hibernate): it
 * checks the tenant and hands the upgrade to the tenant's Durable Object.
 */
export const wsRoutes = new Hono<{ Bindings: Env }>();

async function forward(c: { req: { raw: Request }; env: Env }, tenantId: string): Promise<Response> {
  const request = c.req.raw;
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    return Response.json({ error: "expected a WebSocket upgrade" }, { status: 426 });
  }
  // Unknown or disabled tenants are refused here, before any Durable Object is woken.
  if (!(await findActiveTenant(c.env, tenantId))) return Response.json({ error: "unknown tenant" }, { status: 404 });
  const headers = new Headers(request.headers);
  headers.set(TENANT_HEADER, tenantId); // overwrites anything a client sent
  return c.env.GATEWAY.getByName(tenantId).fetch(new Request(request, { headers }));
}

wsRoutes.get("/t/:tenant/ws", (c) => forward(c, c.req.param("tenant")));
wsRoutes.get("/ws", (c) => forward(c, tenantFromHost(c.req.header("host"), c.env.BASE_DOMAIN)));
wsRoutes.get("/", (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    return c.json({ service: "argent-edge", websocket: ["/ws", "/t/:tenant/ws"], health: "/health" });
  }
  return forward(c, tenantFromHost(c.req.header("host"), c.env.BASE_DOMAIN));
});
