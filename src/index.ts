import { Hono } from "hono";
import type { Env } from "./env";
import { adminRoutes } from "./routes/admin";
import { wsRoutes } from "./routes/ws";
import { sweepDueTenants } from "./scheduler/sweep";

export { TenantGateway } from "../durable-objects/tenant-gateway";

const app = new Hono<{ Bindings: Env }>();

app.get("/health", (c) => c.json({ ok: true, service: "argent-edge" }));
app.route("/admin", adminRoutes);
app.route("/", wsRoutes);
app.notFound((c) => c.json({ error: "not found" }, 404));
// Never leak a stack trace or message: log the error's name, answer a bare 500.
app.onError((err, c) => {
  console.error(`request failed: ${err.name}`);
  return c.json({ error: "internal error" }, 500);
});

export default {
  fetch: app.fetch,
  /** The Cron Trigger (every minute, wrangler.toml): wake the tenants with due work. */
  async scheduled(controller, env) {
    const r = await sweepDueTenants(env, controller.scheduledTime);
    if (r.due > 0) console.log(`sweep: ${r.woken}/${r.due} tenants woken, ${r.failed} failed, ${r.queries} queries, ${r.durationMs} ms`);
  },
} satisfies ExportedHandler<Env>;
