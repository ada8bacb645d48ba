import { describe, expect, it } from "vitest";
import { connected, errorOf } from "../support/client";

describe("roles and scopes", () => {
  it.each(["jsonrpc", "v3"] as const)("an operator.read client may read but not call config.set (%s)", async (framing) => {
    const { client } = await connected("/ws", { framing, scopes: ["operator.read"], minProtocol: framing === "v3" ? 3 : undefined });
    expect((await client.call("health", {}, framing)).ok).toBe(true);
    expect(await client.call("agents.list", {}, framing)).toHaveProperty("agents");
    const res = await client.request("config.set", { path: "agents.defaults.thinkingDefault", value: "high" }, framing);
    expect(errorOf(res)).toMatchObject({
      code: framing === "v3" ? "INVALID_REQUEST" : -32002,
      message: "missing scope: operator.admin",
    });
    client.close();
  });

  it("operator.write satisfies read methods but not admin ones", async () => {
    const { client } = await connected("/ws", { framing: "v3", scopes: ["operator.write"] });
    expect((await client.call("status", {}, "v3")).caller.scopes).toEqual(["operator.write"]);
    const res = await client.request("config.get", {}, "v3");
    expect(res.error.message).toBe("missing scope: operator.admin");
    client.close();
  });

  it("operator.approvals alone cannot read", async () => {
    const { client } = await connected("/ws", { framing: "v3", scopes: ["operator.approvals"] });
    const res = await client.request("health", {}, "v3");
    expect(res.error.message).toBe("missing scope: operator.read");
    client.close();
  });

  it("node-role connections may not call operator methods", async () => {
    const { client } = await connected("/ws", { framing: "v3", role: "node" });
    const res = await client.request("health", {}, "v3");
    expect(res.error).toMatchObject({ code: "INVALID_REQUEST", message: "unauthorized role: node" });
    client.close();
  });

  it("node-role connections receive no operator events", async () => {
    const { client: node } = await connected("/ws", { framing: "v3", role: "node" });
    const { client: op } = await connected("/ws", { framing: "v3" });
    // The operator's own presence broadcast went out after the node connected.
    await op.nextEvent("presence");
    op.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(node.pending().filter((f) => f.event === "presence")).toEqual([]);
    node.close();
  });
});
