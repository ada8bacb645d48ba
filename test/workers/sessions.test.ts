// sessions.* over real WebSockets: list, preview, reset (archived, not destroyed), compact
// (older turns summarised by the model, newest kept, summary used as context afterwards).
import { describe, expect, it } from "vitest";
import { connected, errorOf, type Frame, type TestClient } from "../support/client";
import { scenario, useScenario } from "../support/provider";

const finalOf = (c: TestClient, runId: string) => c.next((f) => f.event === "chat" && f.payload.runId === runId && f.payload.state === "final");

async function converse(c: TestClient, sessionKey: string, messages: string[]) {
  for (const message of messages) {
    const { runId } = await c.call("chat.send", { sessionKey, message });
    await finalOf(c, runId);
  }
}

describe("sessions", () => {
  it("main always exists; a session is created by its first chat.send; list shows title, preview, counts and tokens", async () => {
    const { client } = await connected();
    const before = await client.call("sessions.list", {});
    expect(before.sessions.map((s: Frame) => s.key)).toEqual(["agent:main:main"]);
    expect(before.sessions[0]).toMatchObject({ kind: "main", messageCount: 0 });
    expect(await client.call("sessions.preview", { sessionKey: "main" })).toMatchObject({ previews: [{ key: "agent:main:main", status: "ok", items: [] }] });

    const s = await scenario([{ kind: "echo", usage: { input: 11, output: 3 } }]);
    await useScenario(client, "anthropic", s);
    await converse(client, "trip", ["Plan a trip to Lisbon in May", "What about hotels?"]);
    const list = await client.call("sessions.list", {}, "v3");
    const trip = list.sessions.find((x: Frame) => x.key === "agent:main:trip");
    expect(trip).toMatchObject({
      agentId: "main",
      kind: "direct",
      title: "Plan a trip to Lisbon in May",
      lastMessagePreview: "echo: What about hotels?",
      messageCount: 4,
      inputTokens: 22,
      outputTokens: 6,
      totalTokens: 28,
      model: "anthropic/claude-sonnet-4-20250514",
      updatedAt: expect.any(Number),
      active: false,
    });
    expect(list.sessions[0].key).toBe("agent:main:trip"); // most recent first
    expect((await client.call("sessions.list", { search: "lisbon" })).sessions.map((x: Frame) => x.key)).toEqual(["agent:main:trip"]);

    const preview = await client.call("sessions.preview", { keys: ["trip", "nope"], limit: 2, maxChars: 30 });
    expect(preview.previews).toEqual([
      { key: "agent:main:trip", status: "ok", title: "Plan a trip to Lisbon in May", messageCount: 4, items: [{ role: "user", text: "What about hotels?" }, { role: "assistant", text: "echo: What about hotels?" }] },
      { key: "agent:main:nope", status: "missing", items: [] },
    ]);
    client.close();
  });

  it("methods naming a missing session answer Session Not Found in both framings", async () => {
    const { client } = await connected();
    for (const method of ["sessions.preview", "sessions.reset", "sessions.compact", "chat.history"]) {
      expect(errorOf(await client.request(method, { sessionKey: "ghost" }))).toMatchObject({ code: -32001, details: { sessionKey: "agent:main:ghost" } });
      const v3 = await client.request(method, { sessionKey: "agent:main:ghost" }, "v3");
      expect(v3.error).toMatchObject({ code: "INVALID_REQUEST", details: { code: "SESSION_NOT_FOUND" } });
    }
    client.close();
  });

  it("reset archives the transcript and starts an empty one", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "echo" }]);
    await useScenario(client, "anthropic", s);
    await converse(client, "resettable", ["first thing"]);
    const before = await client.call("chat.history", { sessionKey: "resettable" });
    const reset = await client.call("sessions.reset", { sessionKey: "resettable" });
    expect(reset).toMatchObject({ ok: true, key: "agent:main:resettable", archived: { sessionId: before.sessionId, messageCount: 2 } });
    expect(reset.sessionId).not.toBe(before.sessionId);
    const after = await client.call("chat.history", { sessionKey: "resettable" });
    expect(after).toMatchObject({ sessionId: reset.sessionId, messages: [] });
    const listed = (await client.call("sessions.list", {})).sessions.find((x: Frame) => x.key === "agent:main:resettable");
    expect(listed).toMatchObject({ messageCount: 0, title: null, totalTokens: 0 });
    // The next turn does not see the archived conversation.
    await converse(client, "resettable", ["fresh start"]);
    expect((await s.state()).requests.at(-1)!.body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "fresh start" }] }]);
    client.close();
  });

  it("the archived transcript is kept in D1", async () => {
    const { env } = await import("cloudflare:test");
    const archives = await env.DB.prepare("select session_id, message_count from session_archives where session_key = ?").bind("agent:main:resettable").all();
    expect(archives.results).toEqual([expect.objectContaining({ message_count: 2 })]);
    const kept = await env.DB.prepare("select count(*) as n from session_messages where session_id = ?").bind(archives.results[0]!.session_id).first<{ n: number }>();
    expect(kept!.n).toBe(2);
  });

  it("compact summarises the older turns with the model, keeps the newest, and uses the summary afterwards", async () => {
    const { client } = await connected();
    const chat = await scenario([{ kind: "echo" }]);
    await useScenario(client, "anthropic", chat);
    await converse(client, "long", ["m1", "m2", "m3", "m4"]);
    const summarizer = await scenario([{ kind: "reply", steps: [{ text: "SUMMARY: user sent m1 and m2." }], usage: { input: 100, output: 9 } }]);
    await useScenario(client, "anthropic", summarizer);
    const res = await client.call("sessions.compact", { sessionKey: "long", keep: 4 });
    expect(res).toEqual({ ok: true, key: "agent:main:long", compacted: true, summarized: 4, kept: 4, summary: "SUMMARY: user sent m1 and m2." });
    const prompt = JSON.stringify((await summarizer.state()).requests[0]!.body.messages);
    expect(prompt).toContain("User: m1");
    expect(prompt).toContain("Assistant: echo: m2");
    expect(prompt).not.toContain("m3");

    const history = await client.call("chat.history", { sessionKey: "long" });
    expect(history.messages[0]).toMatchObject({ role: "system", kind: "summary", content: [{ type: "text", text: "SUMMARY: user sent m1 and m2." }] });
    expect(history.messages.slice(1).map((m: Frame) => m.content[0].text)).toEqual(["m3", "echo: m3", "m4", "echo: m4"]);

    await useScenario(client, "anthropic", chat);
    await converse(client, "long", ["m5"]);
    const next = (await chat.state()).requests.at(-1)!.body;
    expect(JSON.stringify(next.system)).toContain("SUMMARY: user sent m1 and m2.");
    expect(next.messages.map((m: Frame) => m.content[0].text)).toEqual(["m3", "echo: m3", "m4", "echo: m4", "m5"]);

    expect(await client.call("sessions.compact", { sessionKey: "long", keep: 50 })).toMatchObject({ compacted: false });
    client.close();
  });

  it("reset and compact refuse a session with an active run (Agent Busy)", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "reply", steps: [{ hold: true }, { text: "done" }] }]);
    await useScenario(client, "anthropic", s);
    const { runId } = await client.call("chat.send", { sessionKey: "guarded", message: "wait" });
    expect(errorOf(await client.request("sessions.reset", { sessionKey: "guarded" })).code).toBe(-32000);
    expect(errorOf(await client.request("sessions.compact", { sessionKey: "guarded" })).code).toBe(-32000);
    expect((await client.call("sessions.list", {})).sessions.find((x: Frame) => x.key === "agent:main:guarded").active).toBe(true);
    await s.release();
    await finalOf(client, runId);
    client.close();
  });

  it("a compaction that fails upstream is a clear error and changes nothing", async () => {
    const { client } = await connected();
    const chat = await scenario([{ kind: "echo" }]);
    await useScenario(client, "anthropic", chat);
    await converse(client, "fragile", ["a", "b", "c"]);
    await useScenario(client, "anthropic", await scenario([{ kind: "error", status: 503, message: "try later" }]));
    const err = errorOf(await client.request("sessions.compact", { sessionKey: "fragile", keep: 2 }));
    expect(err).toMatchObject({ code: -32603, message: "compaction failed: anthropic: HTTP 503 (unavailable): try later" });
    expect((await client.call("chat.history", { sessionKey: "fragile" })).messages.length).toBe(6);
    client.close();
  });
});
