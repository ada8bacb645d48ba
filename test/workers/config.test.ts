import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { connected, createTenant, errorOf } from "../support/client";

const SECRET = "sk-ant-test-0123456789";

describe("config methods", () => {
  it.each(["jsonrpc", "v3"] as const)("config.set {path, value} then config.get reads it back (%s)", async (framing) => {
    const { client } = await connected("/ws", { framing });
    const set = await client.call("config.set", { path: "agents.defaults.thinkingDefault", value: "medium" }, framing);
    expect(set.ok).toBe(true);
    const got = await client.call("config.get", {}, framing);
    expect(got.config.agents.defaults.thinkingDefault).toBe("medium");
    expect(got.hash).toBe(set.hash);
    expect(JSON.parse(got.raw)).toEqual(got.config);
    client.close();
  });

  it("wrong types and unknown paths are Invalid Params naming the path", async () => {
    const { client } = await connected();
    const wrongType = await client.request("config.set", { path: "agents.defaults.heartbeat.every", value: 45 });
    expect(errorOf(wrongType).code).toBe(-32602);
    expect(errorOf(wrongType).message).toContain("agents.defaults.heartbeat.every");
    const badEnum = await client.request("config.set", { path: "agents.defaults.thinkingDefault", value: "extreme" });
    expect(errorOf(badEnum).message).toContain("agents.defaults.thinkingDefault");
    const unknown = await client.request("config.set", { path: "agents.defaults.bogus", value: 1 });
    expect(errorOf(unknown)).toMatchObject({ code: -32602, message: 'invalid config.set params: unknown property "agents.defaults.bogus"' });
    const through = await client.request("config.set", { path: "gateway.maxPayload.x", value: 1 });
    expect(errorOf(through).message).toBe("invalid config.set params: gateway.maxPayload: Invalid input: expected number, received object");
    const badPath = await client.request("config.set", { path: "a..b", value: 1 });
    expect(errorOf(badPath).message).toContain('invalid config path "a..b"');
    const v3 = await client.request("config.set", { path: "gateway.tickIntervalMs", value: 5 }, "v3");
    expect(v3.error.code).toBe("INVALID_REQUEST");
    expect(v3.error.message).toMatch(/^invalid config\.set params: gateway\.tickIntervalMs/);
    client.close();
  });

  it("config.patch applies all patches atomically: one invalid patch and nothing changes", async () => {
    const { client } = await connected();
    const before = await client.call("config.get");
    const res = await client.request("config.patch", {
      patches: [
        { path: "agents.defaults.heartbeat.every", value: "45m" },
        { path: "agents.defaults.contemplation.enabled", value: "yes" },
      ],
    });
    expect(errorOf(res).code).toBe(-32602);
    expect(errorOf(res).message).toContain("agents.defaults.contemplation.enabled");
    const after = await client.call("config.get");
    expect(after.hash).toBe(before.hash);
    expect(after.config).toEqual(before.config);

    const ok = await client.call("config.patch", {
      patches: [
        { path: "agents.defaults.heartbeat.every", value: "45m" },
        { path: "agents.defaults.contemplation.enabled", value: true },
      ],
    });
    expect(ok.config.agents.defaults).toMatchObject({ heartbeat: { every: "45m" }, contemplation: { enabled: true } });
    expect(ok.revision).toBe(before.revision + 1);
    client.close();
  });

  it("secret values are encrypted at rest and never returned", async () => {
    const token = await createTenant("secrets");
    const { client } = await connected("/t/secrets/ws", { token });
    const set = await client.call("config.set", { path: "models.providers.anthropic.apiKey", value: SECRET });
    expect(JSON.stringify(set)).not.toContain(SECRET);
    const got = await client.call("config.get");
    expect(got.config.models.providers.anthropic.apiKey).toBe("__ARGENT_REDACTED__");
    expect(JSON.stringify(got)).not.toContain(SECRET);

    const row = await env.DB.prepare("SELECT doc, secrets FROM tenant_config WHERE tenant_id = ?").bind("secrets").first<{ doc: string; secrets: string }>();
    expect(row!.doc).not.toContain(SECRET);
    expect(row!.secrets).toMatch(/^v1\./);
    expect(row!.secrets).not.toContain(SECRET);
    expect(atob(row!.secrets.split(".")[2]!)).not.toContain(SECRET);
    client.close();
  });

  it("v3 {raw, baseHash}: round-trips redacted secrets and refuses a stale hash", async () => {
    const token = await createTenant("rawedit");
    const { client } = await connected("/t/rawedit/ws", { token, framing: "v3" });
    await client.call("config.set", { path: "models.providers.openai.apiKey", value: SECRET }, "v3");
    const loaded = await client.call("config.get", {}, "v3");
    const doc = JSON.parse(loaded.raw);
    doc.agents = { defaults: { thinkingDefault: "high" } };
    const saved = await client.call("config.set", { raw: JSON.stringify(doc), baseHash: loaded.hash }, "v3");
    expect(saved.config.agents.defaults.thinkingDefault).toBe("high");
    expect(saved.config.models.providers.openai.apiKey).toBe("__ARGENT_REDACTED__");

    // The secret survived the round trip: it is still stored (sealed) and still redacted.
    const row = await env.DB.prepare("SELECT secrets FROM tenant_config WHERE tenant_id = ?").bind("rawedit").first<{ secrets: string | null }>();
    expect(row!.secrets).toMatch(/^v1\./);

    const stale = await client.request("config.set", { raw: JSON.stringify(doc), baseHash: loaded.hash }, "v3");
    expect(stale.error).toMatchObject({ code: "INVALID_REQUEST", message: "config changed since last load; re-run config.get and retry" });
    const missing = await client.request("config.set", { raw: "{}" }, "v3");
    expect(missing.error.message).toBe("config base hash required; re-run config.get and retry");
    const notJson = await client.request("config.set", { raw: "{nope", baseHash: saved.hash }, "v3");
    expect(notJson.error.message).toBe("invalid config.set params: raw: not valid JSON");
    client.close();
  });

  it("a redacted placeholder for a secret that was never set is refused", async () => {
    const token = await createTenant("placeholder");
    const { client } = await connected("/t/placeholder/ws", { token });
    const res = await client.request("config.set", { path: "models.providers.x.apiKey", value: "__ARGENT_REDACTED__" });
    expect(errorOf(res).message).toContain("models.providers.x.apiKey: no stored secret to keep");
    client.close();
  });

  it("v3 config.patch {raw} is a JSON merge patch; null removes", async () => {
    const token = await createTenant("merge");
    const { client } = await connected("/t/merge/ws", { token, framing: "v3" });
    const first = await client.call("config.patch", { raw: JSON.stringify({ agents: { defaults: { thinkingDefault: "low", model: "openai/gpt-5" } } }) }, "v3");
    const second = await client.call(
      "config.patch",
      { raw: JSON.stringify({ agents: { defaults: { model: null, heartbeat: { every: "1h" } } } }), baseHash: first.hash },
      "v3",
    );
    expect(second.config.agents.defaults).toEqual({ thinkingDefault: "low", heartbeat: { every: "1h" } });
    client.close();
  });

  it("config.schema is JSON Schema from the zod schema, with ui hints", async () => {
    const { client } = await connected();
    const res = await client.call("config.schema");
    expect(res.schema.type).toBe("object");
    const defaults = res.schema.properties.agents.properties.defaults.properties;
    expect(defaults.thinkingDefault.enum).toEqual(["off", "minimal", "low", "medium", "high"]);
    expect(defaults.heartbeat.properties.every.default).toBe("30m");
    expect(res.schema.properties.gateway.properties.maxPayload.type).toBe("integer");
    expect(res.uiHints["models.providers.*.apiKey"]).toMatchObject({ sensitive: true, label: "API key" });
    expect(res.uiHints["agents.defaults.thinkingDefault"].label).toBe("Default thinking level");
    expect(res.uiHints["agents.list[].id"].label).toBe("Agent id");
    client.close();
  });

  it("gateway.tickIntervalMs reaches hello-ok.policy of later connections", async () => {
    const token = await createTenant("policy");
    const { client } = await connected("/t/policy/ws", { token });
    await client.call("config.set", { path: "gateway.tickIntervalMs", value: 5000 });
    const { hello } = await connected("/t/policy/ws", { token });
    expect(hello.policy.tickIntervalMs).toBe(5000);
    client.close();
  });

  it("config of one tenant is invisible to another", async () => {
    const tokenA = await createTenant("iso-a");
    const tokenB = await createTenant("iso-b");
    const { client: a } = await connected("/t/iso-a/ws", { token: tokenA });
    const { client: b } = await connected("/t/iso-b/ws", { token: tokenB });
    await a.call("config.set", { path: "agents.defaults.thinkingDefault", value: "minimal" });
    expect((await b.call("config.get")).config).toEqual({});
    a.close();
    b.close();
  });
});
