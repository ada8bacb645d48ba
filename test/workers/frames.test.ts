import { describe, expect, it } from "vitest";
import { connected, errorOf } from "../support/client";

describe("frames after the handshake", () => {
  it.each(["jsonrpc", "v3"] as const)("malformed JSON is Invalid Request in the socket's framing and the socket stays open (%s)", async (framing) => {
    const { client } = await connected("/ws", { framing });
    client.sendRaw("{not json");
    const res = await client.next((f) => f.type !== "event");
    expect(errorOf(res)).toMatchObject({ code: framing === "v3" ? "INVALID_REQUEST" : -32600, message: "malformed JSON" });
    expect(res.id).toBeNull();
    if (framing === "v3") expect(res).toMatchObject({ type: "res", ok: false });
    expect((await client.call("health", {}, framing)).ok).toBe(true);
    client.close();
  });

  it.each([
    ["an array", "[1,2]", "frame must be a JSON object"],
    ["a string", '"hi"', "frame must be a JSON object"],
    ["neither framing", '{"foo":1}', "frame is neither a JSON-RPC request nor a v3 frame"],
    ["a v3 frame of another type", '{"type":"res","id":"x"}', "unsupported frame type"],
    ["a v3 request without id", '{"type":"req","method":"health"}', "request id must be a non-empty string"],
    ["a JSON-RPC request with an object id", '{"id":{},"method":"health"}', "request id must be a string or a number"],
    ["a wrong jsonrpc version", '{"jsonrpc":"1.0","id":1,"method":"health"}', 'jsonrpc must be "2.0"'],
    ["an empty method", '{"id":1,"method":""}', "request method must be a non-empty string"],
  ])("%s is Invalid Request", async (_name, raw, message) => {
    const { client } = await connected();
    client.sendRaw(raw);
    const res = await client.next((f) => f.type !== "event");
    expect(errorOf(res)).toMatchObject({ message });
    expect([-32600, "INVALID_REQUEST"]).toContain(errorOf(res).code);
    expect((await client.call("health")).ok).toBe(true);
    client.close();
  });

  it("a v3 error echoes the v3 id of a bad frame", async () => {
    const { client } = await connected("/ws", { framing: "v3" });
    client.sendRaw('{"type":"req","id":"abc","method":42}');
    const res = await client.next((f) => f.type === "res");
    expect(res).toMatchObject({ id: "abc", ok: false, error: { code: "INVALID_REQUEST" } });
    client.close();
  });

  it.each(["jsonrpc", "v3"] as const)("an unknown method is Method Not Found (%s)", async (framing) => {
    const { client } = await connected("/ws", { framing });
    const res = await client.request("no.such.method", {}, framing);
    expect(errorOf(res)).toEqual({ code: framing === "v3" ? "INVALID_REQUEST" : -32601, message: "unknown method: no.such.method", details: undefined });
    client.close();
  });

  it.each(["jsonrpc", "v3"] as const)("unknown params are Invalid Params (%s)", async (framing) => {
    const { client } = await connected("/ws", { framing });
    const res = await client.request("health", { verbose: true }, framing);
    expect(errorOf(res).code).toBe(framing === "v3" ? "INVALID_REQUEST" : -32602);
    expect(errorOf(res).message).toBe('invalid health params: unknown property "verbose"');
    client.close();
  });

  it("params may be omitted (means {})", async () => {
    const { client } = await connected("/ws", { framing: "v3" });
    client.sendRaw(JSON.stringify({ type: "req", id: "np", method: "health" }));
    const res = await client.next((f) => f.id === "np");
    expect(res.ok).toBe(true);
    client.close();
  });

  it("binary frames are refused with Invalid Request", async () => {
    const { client } = await connected();
    client.sendRaw(new TextEncoder().encode('{"id":1,"method":"health"}').buffer as ArrayBuffer);
    const res = await client.next((f) => f.type !== "event");
    expect(errorOf(res)).toMatchObject({ code: -32600, message: "binary frames are not supported" });
    client.close();
  });

  it("a frame above maxPayload closes the socket with 1009 without being parsed", async () => {
    const { client } = await connected();
    await client.call("config.set", { path: "gateway.maxPayload", value: 2048 });
    const { client: other, hello } = await connected();
    expect(hello.policy.maxPayload).toBe(2048);
    // Valid JSON, so it would succeed if it were parsed.
    other.sendRaw(JSON.stringify({ id: 1, method: "health", params: {}, pad: "x".repeat(2100) }));
    expect((await other.closed).code).toBe(1009);
    // Just under the limit is fine (and multi-byte characters are counted as bytes).
    const small = await client.request("health", { pad: "é".repeat(900) });
    expect(errorOf(small).code).toBe(-32602);
    client.sendRaw(JSON.stringify({ id: 99, method: "health", params: { pad: "é".repeat(1100) } }));
    expect((await client.closed).code).toBe(1009);
  });
});
