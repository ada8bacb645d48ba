import { describe, expect, it } from "vitest";
import { registry } from "../../src/methods";
import { GATEWAY_EVENTS } from "../../src/protocol/events";
import { TestClient, connectParams, connected, createTenant, errorOf } from "../support/client";

describe("handshake", () => {
  it("sends connect.challenge with a nonce on upgrade", async () => {
    const client = await TestClient.open();
    expect(client.challenge).toMatchObject({ type: "event", event: "connect.challenge" });
    expect(client.challenge!.payload.nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof client.challenge!.payload.ts).toBe("number");
    expect(client.challenge).not.toHaveProperty("seq");
    client.close();
  });

  it("accepts the reference connect form and answers hello-ok as a JSON-RPC result", async () => {
    const client = await TestClient.open();
    client.sendRaw(JSON.stringify({ id: "req-1", method: "connect", params: connectParams() }));
    const res = await client.next((f) => f.id === "req-1");
    expect(res).not.toHaveProperty("type");
    const hello = res.result;
    expect(hello.type).toBe("hello-ok");
    expect(hello.protocol).toBe(3);
    expect(hello.features.methods).toEqual(registry.names);
    expect(hello.features.events).toEqual([...GATEWAY_EVENTS]);
    expect(hello.auth).toEqual({ role: "operator", scopes: ["operator.admin"] });
    expect(hello.policy).toMatchObject({ maxPayload: 8 * 1024 * 1024, tickIntervalMs: 30_000 });
    expect(hello.snapshot.sessionDefaults).toEqual({ defaultAgentId: "main", mainKey: "main", mainSessionKey: "agent:main:main" });
    expect(hello.snapshot.health.ok).toBe(true);
    expect(hello.snapshot.presence.map((p: any) => p.key)).toContain(hello.server.connId);
    client.close();
  });

  it("echoes jsonrpc and numeric ids", async () => {
    const client = await TestClient.open();
    client.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "connect", params: connectParams() }));
    const res = await client.next((f) => f.id === 7);
    expect(res.jsonrpc).toBe("2.0");
    expect(res.result.type).toBe("hello-ok");
    client.close();
  });

  it.each([
    [3, 3, 3],
    [3, 4, 4],
    [4, 4, 4],
    [1, 3, 3],
  ])("v3 connect with protocol %i..%i negotiates %i", async (min, max, expected) => {
    const client = await TestClient.open();
    const res = await client.request("connect", connectParams({ framing: "v3", minProtocol: min, maxProtocol: max }), "v3");
    expect(res).toMatchObject({ type: "res", ok: true });
    expect(res.payload.type).toBe("hello-ok");
    expect(res.payload.protocol).toBe(expected);
    client.close();
  });

  it("refuses a protocol range it does not speak with close 1002", async () => {
    const client = await TestClient.open();
    const res = await client.request("connect", connectParams({ framing: "v3", minProtocol: 5, maxProtocol: 6 }), "v3");
    expect(res.ok).toBe(false);
    expect(res.error).toMatchObject({ code: "INVALID_REQUEST", message: "protocol mismatch", details: { expectedProtocol: 4 } });
    expect((await client.closed).code).toBe(1002);
  });

  it.each(["jsonrpc", "v3"] as const)("a request before connect is Invalid Request and closes 1008 (%s)", async (framing) => {
    const client = await TestClient.open();
    const res = await client.request("health", {}, framing);
    expect(errorOf(res)).toMatchObject({
      code: framing === "v3" ? "INVALID_REQUEST" : -32600,
      message: "first request must be connect",
    });
    expect((await client.closed).code).toBe(1008);
  });

  it.each(["jsonrpc", "v3"] as const)("a second connect is Invalid Request and the socket stays open (%s)", async (framing) => {
    const { client } = await connected("/ws", { framing });
    const res = await client.request("connect", connectParams({ framing }), framing);
    expect(errorOf(res).code).toBe(framing === "v3" ? "INVALID_REQUEST" : -32600);
    expect(errorOf(res).message).toBe("connect already completed");
    expect((await client.call("health", {}, framing)).ok).toBe(true);
    client.close();
  });

  it.each(["jsonrpc", "v3"] as const)("a wrong token is Auth Failed, then close 1008 (%s)", async (framing) => {
    const client = await TestClient.open();
    const res = await client.request("connect", connectParams({ framing, token: "not-the-token" }), framing);
    expect(errorOf(res)).toMatchObject({
      code: framing === "v3" ? "INVALID_REQUEST" : -32002,
      message: "unauthorized: gateway token mismatch",
    });
    expect(JSON.stringify(res)).not.toContain("not-the-token");
    expect((await client.closed).code).toBe(1008);
  });

  it("a missing token is Auth Failed", async () => {
    const client = await TestClient.open();
    const { token: _omit, ...params } = connectParams();
    const res = await client.request("connect", params);
    expect(errorOf(res)).toMatchObject({ code: -32002, message: "unauthorized: gateway token missing" });
    expect((await client.closed).code).toBe(1008);
  });

  it("accepts `auth.token` in the reference form", async () => {
    const client = await TestClient.open();
    const { token, ...rest } = connectParams();
    const hello = await client.call("connect", { ...rest, auth: { token } });
    expect(hello.type).toBe("hello-ok");
    client.close();
  });

  it("a token of tenant A does not open tenant B", async () => {
    const tokenA = await createTenant("tenant-a");
    await createTenant("tenant-b");
    const onB = await TestClient.open("/t/tenant-b/ws");
    const res = await onB.request("connect", connectParams({ token: tokenA }));
    expect(errorOf(res).code).toBe(-32002);
    expect((await onB.closed).code).toBe(1008);
    const { hello } = await connected("/t/tenant-a/ws", { token: tokenA });
    expect(hello.snapshot.health.tenant).toBe("tenant-a");
  });

  it("connect params are validated: unknown keys and bad mode are Invalid Params", async () => {
    const client = await TestClient.open();
    const res = await client.request("connect", { ...connectParams(), bogus: 1 });
    expect(errorOf(res)).toMatchObject({ code: -32602 });
    expect(errorOf(res).message).toContain('unknown property "bogus"');
    expect((await client.closed).code).toBe(1008);
  });

  it("mode device without pairing is NOT_PAIRED", async () => {
    const client = await TestClient.open();
    const res = await client.request("connect", { ...connectParams(), mode: "device" }, "v3");
    expect(res.error).toMatchObject({ code: "NOT_PAIRED", message: "pairing required" });
    expect((await client.closed).code).toBe(1008);
  });

  it("grants requested scopes and roles", async () => {
    const { hello } = await connected("/ws", { framing: "v3", scopes: ["operator.read", "operator.bogus"] });
    expect(hello.auth).toEqual({ role: "operator", scopes: ["operator.read"] });
    const node = await connected("/ws", { framing: "v3", role: "node", scopes: ["operator.admin"] });
    expect(node.hello.auth).toEqual({ role: "node", scopes: [] });
  });

  it("pipelined connect + request are handled in order", async () => {
    const client = await TestClient.open();
    client.sendRaw(JSON.stringify({ id: 1, method: "connect", params: connectParams() }));
    client.sendRaw(JSON.stringify({ id: 2, method: "health" }));
    const hello = await client.next((f) => f.id === 1);
    const health = await client.next((f) => f.id === 2);
    expect(hello.result.type).toBe("hello-ok");
    expect(health.result.ok).toBe(true);
    client.close();
  });

  it("closes a socket that does not connect within 10 s (code 1000)", async () => {
    const client = await TestClient.open();
    const closed = await Promise.race([client.closed, new Promise((r) => setTimeout(() => r("still open"), 13_000))]);
    expect(closed).toMatchObject({ code: 1000 });
  }, 20_000);
});
