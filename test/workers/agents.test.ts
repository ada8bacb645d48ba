import { describe, expect, it } from "vitest";
import { connected, createTenant, errorOf } from "../support/client";

describe("agents methods", () => {
  it("agents.list always has main, plus agents from config", async () => {
    const token = await createTenant("agents");
    const { client } = await connected("/t/agents/ws", { token });
    const before = await client.call("agents.list");
    expect(before).toMatchObject({ defaultId: "main", mainKey: "main" });
    expect(before.agents.map((a: any) => a.id)).toEqual(["main"]);
    await client.call("config.set", { path: "agents.list", value: [{ id: "ops", name: "Ops", identity: { emoji: "🛠" } }] });
    const after = await client.call("agents.list", {}, "v3");
    expect(after.agents.map((a: any) => [a.id, a.name])).toEqual([
      ["main", "Argent"],
      ["ops", "Ops"],
    ]);
    const dup = await client.request("config.set", { path: "agents.list[1]", value: { id: "ops" } });
    expect(errorOf(dup).message).toContain("agents.list: agent ids must be unique");
    client.close();
  });

  it.each(["jsonrpc", "v3"] as const)("agents.files set/get/list with the reference's {agentId, filename} and ArgentOS' {name} (%s)", async (framing) => {
    const token = await createTenant(`files-${framing}`);
    const { client } = await connected(`/t/files-${framing}/ws`, { token, framing });
    const listed = await client.call("agents.files.list", { agentId: "main" }, framing);
    expect(listed.files.map((f: any) => f.name)).toEqual([
      "AGENTS.md", "SOUL.md", "TOOLS.md", "IDENTITY.md", "USER.md", "HEARTBEAT.md", "BOOTSTRAP.md", "MEMORY.md",
    ]);
    expect(listed.files.every((f: any) => f.missing)).toBe(true);

    const soul = "# Soul\nBe kind. ✨\n";
    const set = await client.call("agents.files.set", { agentId: "main", filename: "SOUL.md", content: soul }, framing);
    expect(set.file).toMatchObject({ name: "SOUL.md", missing: false, size: new TextEncoder().encode(soul).byteLength });
    const got = await client.call("agents.files.get", { agentId: "main", filename: "SOUL.md" }, framing);
    expect(got.file.content).toBe(soul);
    const byName = await client.call("agents.files.get", { name: "SOUL.md" }, framing);
    expect(byName).toMatchObject({ agentId: "main", file: { content: soul } });
    await client.call("agents.files.set", { name: "USER.md", content: "Ana" }, framing);
    const relisted = await client.call("agents.files.list", {}, framing);
    expect(relisted.files.filter((f: any) => !f.missing).map((f: any) => f.name)).toEqual(["SOUL.md", "USER.md"]);
    const missing = await client.call("agents.files.get", { filename: "MEMORY.md" }, framing);
    expect(missing.file).toMatchObject({ missing: true, content: "" });
    client.close();
  });

  it("bad file names and unknown agents are Invalid Params", async () => {
    const { client } = await connected();
    const badName = await client.request("agents.files.get", { agentId: "main", filename: "../etc/passwd" });
    expect(errorOf(badName)).toMatchObject({ code: -32602 });
    expect(errorOf(badName).message).toContain("filename");
    const noName = await client.request("agents.files.get", { agentId: "main" });
    expect(errorOf(noName).message).toBe("invalid agents.files.get params: filename: required");
    const unknown = await client.request("agents.files.set", { agentId: "ghost", filename: "SOUL.md", content: "x" });
    expect(errorOf(unknown).message).toBe('invalid agents.files.set params: agentId: unknown agent "ghost"');
    client.close();
  });

  it("agent.identity.get reads IDENTITY.md, and config wins over it", async () => {
    const token = await createTenant("identity");
    const { client } = await connected("/t/identity/ws", { token });
    expect(await client.call("agent.identity.get")).toEqual({ agentId: "main", name: "Argent" });
    await client.call("agents.files.set", { filename: "IDENTITY.md", content: "# Identity\n- **Name:** Nova\n- Vibe: calm\n" });
    expect((await client.call("agent.identity.get", {})).name).toBe("Nova");
    await client.call("config.set", { path: "agents.list", value: [{ id: "main", identity: { name: "Atlas", emoji: "🦉" } }] });
    expect(await client.call("agent.identity.get", { sessionKey: "agent:main:main" })).toEqual({ agentId: "main", name: "Atlas", emoji: "🦉" });
    client.close();
  });

  it("alignment files are per tenant", async () => {
    const tokenA = await createTenant("files-iso-a");
    const tokenB = await createTenant("files-iso-b");
    const { client: a } = await connected("/t/files-iso-a/ws", { token: tokenA });
    const { client: b } = await connected("/t/files-iso-b/ws", { token: tokenB });
    await a.call("agents.files.set", { filename: "MEMORY.md", content: "secret plans" });
    expect((await b.call("agents.files.get", { filename: "MEMORY.md" })).file.missing).toBe(true);
    a.close();
    b.close();
  });
});
