import { SELF, env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TEST_SECRETS } from "../support/secrets";
import { TestClient, admin, connectParams, connected, createTenant, errorOf } from "../support/client";

const stubOf = (tenant: string) => env.GATEWAY.getByName(tenant);
const alarmOf = (tenant: string) => runInDurableObject(stubOf(tenant), (_i, state) => state.storage.getAlarm());

describe("tenants and routing", () => {
  it("GET /health answers without any tenant", async () => {
    const res = await SELF.fetch("http://gateway.test/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it("unknown tenants are 404 before any Durable Object is woken", async () => {
    const res = await SELF.fetch("http://gateway.test/t/nobody/ws", { headers: { Upgrade: "websocket" } });
    expect(res.status).toBe(404);
    const bad = await SELF.fetch("http://gateway.test/t/Bad_Id/ws", { headers: { Upgrade: "websocket" } });
    expect(bad.status).toBe(404);
  });

  it("the admin API requires the admin token and stores tokens only as hashes", async () => {
    const anon = await SELF.fetch("http://gateway.test/admin/tenants");
    expect(anon.status).toBe(401);
    const wrong = await SELF.fetch("http://gateway.test/admin/tenants", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const token = await createTenant("hashed");
    expect(token).toMatch(/^agt_[A-Za-z0-9_-]{43}$/);
    const row = await env.DB.prepare("SELECT token_hash FROM tenants WHERE id = 'hashed'").first<{ token_hash: string }>();
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.token_hash).not.toContain(token);
    const dup = await admin("/tenants", { method: "POST", body: JSON.stringify({ id: "hashed" }) });
    expect(dup.status).toBe(409);
    const invalid = await admin("/tenants", { method: "POST", body: JSON.stringify({ id: "Not Valid" }) });
    expect(invalid.status).toBe(400);
    const list = (await (await admin("/tenants")).json()) as { tenants: { id: string }[] };
    expect(list.tenants.map((t) => t.id)).toContain("hashed");
    expect(JSON.stringify(list)).not.toContain("tokenHash");
    expect(JSON.stringify(list)).not.toContain(row!.token_hash);
  });

  it("routes <tenant>.<BASE_DOMAIN> to that tenant when BASE_DOMAIN is set", async () => {
    const { tenantFromHost } = await import("../../src/routes/tenant-lookup");
    expect(tenantFromHost("acme.argent.example:443", "argent.example")).toBe("acme");
    expect(tenantFromHost("argent.example", "argent.example")).toBe("default");
    expect(tenantFromHost("acme.argent.example", "")).toBe("default");
    expect(tenantFromHost("evil.com", "argent.example")).toBe("default");
  });

  it("rotating a token closes sockets authenticated with the old one (shutdown event, 1012)", async () => {
    const oldToken = await createTenant("rotating");
    const { client } = await connected("/t/rotating/ws", { token: oldToken, framing: "v3" });
    const res = await admin("/tenants/rotating/rotate", { method: "POST" });
    expect(res.status).toBe(200);
    const { token: newToken, closedConnections } = (await res.json()) as { token: string; closedConnections: number };
    expect(closedConnections).toBe(1);
    expect((await client.nextEvent("shutdown")).payload).toEqual({ reason: "gateway token rotated" });
    expect((await client.closed).code).toBe(1012);
    const stale = await TestClient.open("/t/rotating/ws");
    expect(errorOf(await stale.request("connect", connectParams({ token: oldToken }))).code).toBe(-32002);
    const { hello } = await connected("/t/rotating/ws", { token: newToken });
    expect(hello.type).toBe("hello-ok");
  });

  it("disabling a tenant shuts its sockets down and refuses new upgrades", async () => {
    const token = await createTenant("doomed");
    const { client } = await connected("/t/doomed/ws", { token });
    const res = await admin("/tenants/doomed/disable", { method: "POST" });
    expect(res.status).toBe(200);
    expect((await client.nextEvent("shutdown")).payload.reason).toBe("tenant disabled");
    expect((await client.closed).code).toBe(1012);
    const again = await SELF.fetch("http://gateway.test/t/doomed/ws", { headers: { Upgrade: "websocket" } });
    expect(again.status).toBe(404);
  });

  it("the default tenant's token is ARGENT_GATEWAY_TOKEN and cannot be rotated by the admin API", async () => {
    const { hello } = await connected("/ws", { token: TEST_SECRETS.ARGENT_GATEWAY_TOKEN });
    expect(hello.snapshot.health.tenant).toBe("default");
    expect((await admin("/tenants/default/rotate", { method: "POST" })).status).toBe(409);
  });
});

describe("presence, ticks and hibernation", () => {
  it("presence: snapshot in hello-ok, presence event with the leaver on disconnect", async () => {
    const token = await createTenant("presence");
    const { client: a, hello: helloA } = await connected("/t/presence/ws", { token, framing: "v3", clientId: "webchat" });
    const { client: b, hello: helloB } = await connected("/t/presence/ws", { token, clientId: "cli" });
    expect(helloB.snapshot.presence.map((p: any) => p.key).sort()).toEqual([helloA.server.connId, helloB.server.connId].sort());
    await a.nextEvent("presence"); // b joined
    b.close();
    const left = await a.next((f) => f.event === "presence" && f.payload.presence.some((p: any) => p.reason === "disconnect"));
    expect(left.payload.presence).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: helloB.server.connId, reason: "disconnect" })]),
    );
    expect(left.stateVersion.presence).toBeGreaterThan(helloB.snapshot.stateVersion.presence);
    expect(typeof left.seq).toBe("number");
    expect(await a.call("system-presence", {}, "v3")).toEqual([expect.objectContaining({ key: helloA.server.connId })]);
    a.close();
  });

  it("ticks come from the alarm while clients are connected; the alarm is not re-armed after the last one left", async () => {
    const token = await createTenant("ticking");
    const { client } = await connected("/t/ticking/ws", { token });
    expect(await alarmOf("ticking")).not.toBeNull();
    // The tick is due in 30 s; pull it forward so the alarm sends it now.
    await runInDurableObject(stubOf("ticking"), (_i, state) => state.storage.kv.put("nextTickAt", Date.now()));
    expect(await runDurableObjectAlarm(stubOf("ticking"))).toBe(true);
    const tick = await client.nextEvent("tick");
    expect(tick.payload.ts).toBeTypeOf("number");
    expect(tick.seq).toBeTypeOf("number");
    expect(await alarmOf("ticking")).not.toBeNull(); // re-armed for the next tick

    client.close();
    await client.closed;
    await new Promise((r) => setTimeout(r, 100));
    // Whether the close handler already cleared it or the alarm runs once more, nothing stays armed.
    await runDurableObjectAlarm(stubOf("ticking"));
    expect(await alarmOf("ticking")).toBeNull();
  });

  it("a socket survives hibernation with its identity, scopes and the tenant's event seq intact", async () => {
    const token = await createTenant("hibernate");
    const { client, hello } = await connected("/t/hibernate/ws", { token, framing: "v3", scopes: ["operator.read"] });
    await client.call("health", {}, "v3");
    const { client: watcher } = await connected("/t/hibernate/ws", { token });
    const seqBefore = (await client.nextEvent("presence")).seq;

    await evictDurableObject(stubOf("hibernate"));

    const status = await client.call("status", {}, "v3");
    expect(status.caller).toEqual({ connId: hello.server.connId, role: "operator", scopes: ["operator.read"] });
    expect(status.connections.operators).toBe(2);
    const denied = await client.request("config.get", {}, "v3");
    expect(denied.error.message).toBe("missing scope: operator.admin");
    watcher.close();
    const after = await client.nextEvent("presence");
    expect(after.seq).toBeGreaterThan(seqBefore);
    client.close();
  });

  it("config survives eviction (read back from D1)", async () => {
    const token = await createTenant("durable");
    const { client } = await connected("/t/durable/ws", { token });
    await client.call("config.set", { path: "agents.defaults.thinkingDefault", value: "off" });
    await evictDurableObject(stubOf("durable"));
    expect((await client.call("config.get")).config.agents.defaults.thinkingDefault).toBe("off");
    client.close();
  });
});
