// Chat and agent runs over real WebSockets against the fake provider (Anthropic Messages and
// OpenAI Chat Completions wire formats): streaming, tools, abort, idempotency, busy, errors,
// images, history.
import { describe, expect, it } from "vitest";
import { TestClient, connectParams, connected, errorOf, type Frame } from "../support/client";
import { scenario, useScenario, until, TEST_API_KEYS } from "../support/provider";

const isChat = (runId: string, state?: string) => (f: Frame) =>
  f.event === "chat" && f.payload.runId === runId && (!state || f.payload.state === state);
const isRunEnd = (runId: string) => (f: Frame) => isChat(runId)(f) && f.payload.state !== "delta";
const agentEvents = (c: TestClient, runId: string) => c.pending().filter((f) => f.event === "agent" && f.payload.runId === runId);
const PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

describe("chat.send streams a reply", () => {
  for (const framing of ["jsonrpc", "v3"] as const) {
    it(`anthropic, ${framing} framing: agent events, throttled chat deltas, final, history`, async () => {
      const { client } = await connected("/ws", { framing });
      const s = await scenario([
        { kind: "reply", steps: [{ thinking: "Let me think." }, { text: "Hello there, friend!", chunkSize: 4 }], usage: { input: 42, output: 7 } },
      ]);
      await useScenario(client, "anthropic", s);
      const sent = await client.call("chat.send", { sessionKey: `s-${framing}`, message: "Hi!", idempotencyKey: `run-${framing}` }, framing);
      expect(sent).toEqual({ runId: `run-${framing}`, status: "started" });
      const final = await client.next(isChat(sent.runId, "final"));
      expect(final.payload).toMatchObject({
        sessionKey: `agent:main:s-${framing}`,
        state: "final",
        message: { role: "assistant", content: [{ type: "text", text: "Hello there, friend!" }] },
        usage: { input: 42, output: 7 },
      });
      expect(final.seq).toBeTypeOf("number"); // a broadcast: numbered by the tenant's seq

      const events = agentEvents(client, sent.runId);
      expect(events.map((e) => e.payload.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events[0]!.payload).toMatchObject({ stream: "lifecycle", sessionKey: `agent:main:s-${framing}`, data: { phase: "start" } });
      const deltas = events.filter((e) => e.payload.stream === "assistant");
      expect(deltas.length).toBe(5);
      expect(deltas.map((e) => e.payload.data.delta).join("")).toBe("Hello there, friend!");
      expect(deltas.at(-1)!.payload.data.text).toBe("Hello there, friend!");
      expect(events.at(-1)!.payload).toMatchObject({ stream: "lifecycle", data: { phase: "end" } });
      // Chat deltas carry the whole text so far and are throttled: fewer than the tokens.
      const chatDeltas = client.pending().filter((f) => isChat(sent.runId, "delta")(f));
      expect(chatDeltas.length).toBeLessThan(deltas.length);
      for (const d of chatDeltas) expect("Hello there, friend!".startsWith(d.payload.message.content[0].text)).toBe(true);

      const st = await s.state();
      expect(st.requests[0]!.headers["x-api-key"]).toBe(TEST_API_KEYS.anthropic);
      expect(st.requests[0]!.body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hi!" }] }]);

      const history = await client.call("chat.history", { sessionKey: `s-${framing}` }, framing);
      expect(history.sessionKey).toBe(`agent:main:s-${framing}`);
      expect(history.messages.map((m: Frame) => m.role)).toEqual(["user", "assistant"]);
      expect(history.messages[0].content).toEqual([{ type: "text", text: "Hi!" }]);
      expect(history.messages[1]).toMatchObject({
        content: [{ type: "thinking", thinking: "Let me think." }, { type: "text", text: "Hello there, friend!" }],
        usage: { input: 42, output: 7 },
        model: "anthropic/claude-sonnet-4-20250514",
        runId: sent.runId,
        timestamp: final.payload.message.timestamp, // the streamed final and the stored message match
      });
      client.close();
    });
  }

  it("the system prompt carries the alignment files and the time; later turns carry the history", async () => {
    const { client } = await connected();
    await client.call("agents.files.set", { agentId: "main", filename: "SOUL.md", content: "You are calm and precise." });
    await client.call("agents.files.set", { agentId: "main", filename: "USER.md", content: "The user is Dana." });
    await client.call("agents.files.set", { agentId: "main", filename: "HEARTBEAT.md", content: "check the inbox" });
    await client.call("config.set", { path: "agents.defaults.timezone", value: "Europe/Berlin" });
    const s = await scenario([{ kind: "echo" }]);
    await useScenario(client, "anthropic", s);
    const first = await client.call("chat.send", { sessionKey: "prompt", message: "one" });
    await client.next(isChat(first.runId, "final"));
    const second = await client.call("chat.send", { sessionKey: "prompt", message: "two" });
    await client.next(isChat(second.runId, "final"));
    const [req1, req2] = (await s.state()).requests;
    const system = JSON.stringify(req1!.body.system);
    expect(system).toContain("You are calm and precise.");
    expect(system).toContain("The user is Dana.");
    expect(system).not.toContain("check the inbox"); // HEARTBEAT.md is for heartbeats only
    expect(system).toContain("Europe/Berlin");
    expect(system).toContain(String(new Date().getUTCFullYear()));
    expect(req2!.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "one" }] },
      { role: "assistant", content: [{ type: "text", text: "echo: one" }] },
      { role: "user", content: [{ type: "text", text: "two" }] },
    ]);
    await client.call("config.set", { path: "agents.defaults.timezone", value: null });
    client.close();
  });

  it("thinking maps to the provider's reasoning setting; off turns it off", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "echo" }]);
    await useScenario(client, "anthropic", s);
    const high = await client.call("chat.send", { sessionKey: "think", message: "a", thinking: "high" });
    await client.next(isChat(high.runId, "final"));
    const off = await client.call("chat.send", { sessionKey: "think", message: "b", thinking: "off" });
    await client.next(isChat(off.runId, "final"));
    const [withThinking, without] = (await s.state()).requests;
    expect(withThinking!.body.thinking).toMatchObject({ type: "enabled", budget_tokens: expect.any(Number) });
    expect(without!.body.thinking?.type ?? "disabled").toBe("disabled");
    const bad = await client.request("chat.send", { sessionKey: "think", message: "c", thinking: "ultra" });
    expect(errorOf(bad).code).toBe(-32602);
    client.close();
  });

  it("openai (chat completions), v3 framing", async () => {
    const { client } = await connected("/ws", { framing: "v3" });
    const s = await scenario([{ kind: "reply", steps: [{ text: "Bonjour!" }], usage: { input: 5, output: 2 } }]);
    await useScenario(client, "openai", s);
    const sent = await client.call("chat.send", { sessionKey: "oa", message: "Salut", model: "openai/gpt-4o" }, "v3");
    const final = await client.next(isChat(sent.runId, "final"));
    expect(final.payload.message.content[0].text).toBe("Bonjour!");
    expect(final.payload.usage).toEqual({ input: 5, output: 2 });
    const req = (await s.state()).requests[0]!;
    expect(req.path).toMatch(/\/chat\/completions$/);
    expect(req.headers.authorization).toBe(`Bearer ${TEST_API_KEYS.openai}`);
    expect(req.body.model).toBe("gpt-4o");
    client.close();
  });
});

describe("tools", () => {
  it("anthropic tool_use: the run calls memory_append, streams tool events and continues", async () => {
    const { client } = await connected();
    const s = await scenario([
      { kind: "reply", steps: [{ text: "Saving." }, { toolCall: { id: "toolu_1", name: "memory_append", input: { text: "Dana likes tea." } } }] },
      { kind: "reply", steps: [{ text: "Noted: tea." }] },
    ]);
    await useScenario(client, "anthropic", s);
    const sent = await client.call("chat.send", { sessionKey: "tools", message: "Remember I like tea" });
    const final = await client.next(isChat(sent.runId, "final"));
    expect(final.payload.message.content[0].text).toBe("Saving.Noted: tea.");
    const tools = agentEvents(client, sent.runId).filter((e) => e.payload.stream === "tool");
    expect(tools.map((e) => e.payload.data)).toEqual([
      { phase: "start", name: "memory_append", toolCallId: "toolu_1", args: { text: "Dana likes tea." } },
      { phase: "result", name: "memory_append", toolCallId: "toolu_1", result: { ok: true, bytes: expect.any(Number) }, isError: false },
    ]);
    const memory = await client.call("agents.files.get", { agentId: "main", filename: "MEMORY.md" });
    expect(memory.file.content).toContain("Dana likes tea.");
    // The second model call got the tool result back.
    const second = (await s.state()).requests[1]!.body.messages;
    expect(second.at(-1)).toMatchObject({ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1" }] });
    const history = await client.call("chat.history", { sessionKey: "tools" });
    expect(history.messages[1].content.map((p: Frame) => p.type)).toEqual(["text", "toolCall", "toolResult", "text"]);
    client.close();
  });

  it("openai tool_calls: sessions_list then an answer; a failing tool is reported with isError", async () => {
    const { client } = await connected("/ws", { framing: "v3" });
    const s = await scenario([
      {
        kind: "reply",
        steps: [
          { toolCall: { id: "call_a", name: "sessions_list", input: { limit: 5 } } },
          { toolCall: { id: "call_b", name: "sessions_history", input: { sessionKey: "no-such-session" } } },
        ],
      },
      { kind: "reply", steps: [{ text: "Done looking." }] },
    ]);
    await useScenario(client, "openai", s);
    const sent = await client.call("chat.send", { sessionKey: "oa-tools", message: "what sessions?", model: "openai/gpt-4.1" }, "v3");
    await client.next(isChat(sent.runId, "final"));
    const results = agentEvents(client, sent.runId).filter((e) => e.payload.stream === "tool" && e.payload.data.phase === "result");
    expect(results.map((e) => [e.payload.data.name, e.payload.data.isError])).toEqual([
      ["sessions_list", false],
      ["sessions_history", true],
    ]);
    expect(results[0]!.payload.data.result.sessions).toEqual(expect.arrayContaining([expect.objectContaining({ key: "agent:main:oa-tools" })]));
    expect(results[1]!.payload.data.result).toBe('no session "no-such-session"');
    const toolMsgs = (await s.state()).requests[1]!.body.messages.filter((m: Frame) => m.role === "tool");
    expect(toolMsgs.map((m: Frame) => m.tool_call_id)).toEqual(["call_a", "call_b"]);
    client.close();
  });

  it("the step limit stops a model that keeps calling tools", async () => {
    const { client } = await connected();
    await client.call("config.set", { path: "agents.defaults.maxSteps", value: 2 });
    const s = await scenario([{ kind: "reply", steps: [{ toolCall: { name: "memory_read", input: {} } }] }]);
    await useScenario(client, "anthropic", s);
    const sent = await client.call("chat.send", { sessionKey: "loop", message: "loop forever" });
    const end = await client.next(isRunEnd(sent.runId));
    expect(end.payload.state).toBe("final");
    expect((await s.state()).requests.length).toBe(2);
    await client.call("config.set", { path: "agents.defaults.maxSteps", value: null });
    client.close();
  });
});

describe("run control", () => {
  it("abort mid-stream cancels the upstream request and keeps the partial text", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "reply", steps: [{ text: "Partial answer", chunkSize: 7 }, { hold: true }, { text: " never sent" }] }]);
    await useScenario(client, "anthropic", s);
    const sent = await client.call("chat.send", { sessionKey: "abort", message: "go" });
    await until(s, (st) => st.waitingAtHold === 1);
    await client.next((f) => f.event === "agent" && f.payload.runId === sent.runId && f.payload.data.text === "Partial answer");
    const res = await client.call("chat.abort", { sessionKey: "abort" });
    expect(res).toEqual({ ok: true, aborted: true, runIds: [sent.runId] });
    const aborted = await client.next(isChat(sent.runId, "aborted"));
    expect(aborted.payload.message.content[0].text).toBe("Partial answer");
    await until(s, (st) => st.aborted === 1);
    const history = await client.call("chat.history", { sessionKey: "abort" });
    expect(history.messages[1]).toMatchObject({ role: "assistant", stopReason: "aborted", content: [{ type: "text", text: "Partial answer" }] });
    expect(await client.call("agent.wait", { runId: sent.runId, timeoutMs: 1000 })).toMatchObject({ status: "aborted" });
    expect(await client.call("chat.abort", { sessionKey: "abort" })).toEqual({ ok: true, aborted: false, runIds: [] });
    client.close();
  });

  it("a duplicate idempotency key is in_flight while running and answered from cache after, across reconnects", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "reply", steps: [{ hold: true }, { text: "once" }] }]);
    await useScenario(client, "anthropic", s);
    const params = { sessionKey: "idem", message: "hello", idempotencyKey: "idem-1" };
    expect(await client.call("chat.send", params)).toEqual({ runId: "idem-1", status: "started" });
    expect(await client.call("chat.send", params)).toEqual({ runId: "idem-1", status: "in_flight" });
    await s.release();
    await client.next(isChat("idem-1", "final"));
    client.close();
    const { client: again } = await connected("/ws", { framing: "v3" });
    expect(await again.call("chat.send", params, "v3")).toEqual({ runId: "idem-1", status: "ok" });
    expect((await s.state()).requests.length).toBe(1);
    const history = await again.call("chat.history", { sessionKey: "idem" }, "v3");
    expect(history.messages.length).toBe(2);
    again.close();
  });

  it("a different message on a busy session is Agent Busy in both framings; other sessions are free", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "reply", steps: [{ hold: true }, { text: "first" }] }, { kind: "echo" }]);
    await useScenario(client, "anthropic", s);
    const first = await client.call("chat.send", { sessionKey: "busy", message: "first" });
    const busy = await client.request("chat.send", { sessionKey: "busy", message: "second" });
    expect(errorOf(busy)).toMatchObject({ code: -32000, details: { runId: first.runId } });
    const busyV3 = await client.request("chat.send", { sessionKey: "main", message: "x" }, "v3");
    expect(busyV3.ok).toBe(true); // a different session is not busy
    const busyAgain = await client.request("agent", { sessionKey: "busy", message: "third" }, "v3");
    expect(busyAgain.error).toMatchObject({ code: "UNAVAILABLE", details: { code: "AGENT_BUSY" } });
    await s.release();
    await client.next(isChat(first.runId, "final"));
    await client.next(isChat(busyV3.payload.runId, "final"));
    client.close();
  });

  it("agent: v3 clients get accepted then the final status with the same id; JSON-RPC gets one response", async () => {
    const { client } = await connected("/ws", { framing: "v3" });
    const s = await scenario([{ kind: "reply", steps: [{ text: "Report ready." }] }]);
    await useScenario(client, "anthropic", s);
    client.sendRaw(JSON.stringify({ type: "req", id: "agent-1", method: "agent", params: { message: "Run the daily report", sessionKey: "main", idempotencyKey: "ag-1" } }));
    const accepted = await client.next((f) => f.id === "agent-1");
    expect(accepted.payload).toMatchObject({ runId: "ag-1", status: "accepted", acceptedAt: expect.any(Number) });
    const done = await client.next((f) => f.id === "agent-1");
    expect(done.payload).toEqual({ runId: "ag-1", status: "ok", summary: "Report ready." });

    const { client: rpc } = await connected();
    rpc.sendRaw(JSON.stringify({ id: 77, method: "agent", params: { message: "again", sessionKey: "agent-rpc" } }));
    const first = await rpc.next((f) => f.id === 77);
    expect(first.result).toMatchObject({ status: "accepted" });
    await rpc.next(isChat(first.result.runId, "final"));
    await new Promise((r) => setTimeout(r, 50));
    expect(rpc.pending().filter((f) => f.id === 77)).toEqual([]);
    client.close();
    rpc.close();
  });

  it("agent.wait: by run id or session, a finished run answers at once, timeout while running", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "reply", steps: [{ hold: true }, { text: "waited" }] }]);
    await useScenario(client, "anthropic", s);
    const sent = await client.call("chat.send", { sessionKey: "wait", message: "x" });
    expect(await client.call("agent.wait", { runId: sent.runId, timeoutMs: 50 })).toMatchObject({ runId: sent.runId, status: "timeout" });
    // A waiting agent.wait does not hold up later requests on the same socket.
    client.sendRaw(JSON.stringify({ id: "w", method: "agent.wait", params: { sessionKey: "wait", timeoutMs: 5000 } }));
    expect(await client.call("health")).toMatchObject({ ok: true });
    await s.release();
    const waited = await client.next((f) => f.id === "w");
    expect(waited.result).toMatchObject({ runId: sent.runId, status: "ok", startedAt: expect.any(Number), endedAt: expect.any(Number) });
    expect(await client.call("agent.wait", { sessionKey: "wait", timeoutMs: 10 })).toMatchObject({ status: "ok" });
    expect(errorOf(await client.request("agent.wait", { runId: "nope" })).code).toBe(-32602);
    expect(errorOf(await client.request("agent.wait", { sessionKey: "never-used" })).code).toBe(-32001);
    client.close();
  });
});

describe("upstream failures end the run with a clear error", () => {
  const cases = [
    { name: "429", reply: { kind: "error" as const, status: 429, message: "slow down please" }, expected: /^anthropic: HTTP 429 \(rate limited\): slow down please$/ },
    { name: "500", reply: { kind: "error" as const, status: 500, message: "boom" }, expected: /^anthropic: HTTP 500 \(server error\): boom$/ },
    { name: "401", reply: { kind: "error" as const, status: 401, message: `invalid x-api-key ${TEST_API_KEYS.anthropic}` }, expected: /^anthropic: HTTP 401 \(unauthorized: check the API key\): invalid x-api-key \[redacted\]$/ },
  ];
  for (const c of cases) {
    it(`HTTP ${c.name}`, async () => {
      const { client } = await connected("/ws", { framing: "v3" });
      const s = await scenario([c.reply]);
      await useScenario(client, "anthropic", s);
      const sent = await client.call("chat.send", { sessionKey: `err-${c.name}`, message: "x" }, "v3");
      const err = await client.next(isChat(sent.runId, "error"));
      expect(err.payload.errorMessage).toMatch(c.expected);
      expect(JSON.stringify(err)).not.toContain(TEST_API_KEYS.anthropic);
      expect(JSON.stringify(err)).not.toMatch(/at \w+ \(|\.ts:\d+/); // no stack
      const lifecycle = agentEvents(client, sent.runId).at(-1)!;
      expect(lifecycle.payload).toMatchObject({ stream: "lifecycle", data: { phase: "error" } });
      const history = await client.call("chat.history", { sessionKey: `err-${c.name}` }, "v3");
      expect(history.messages.at(-1)).toMatchObject({ role: "assistant", stopReason: "error", errorMessage: err.payload.errorMessage });
      expect(await client.call("agent.wait", { runId: sent.runId }, "v3")).toMatchObject({ status: "error", error: err.payload.errorMessage });
      client.close();
    });
  }

  it("a stream cut mid-way keeps the text so far and names the provider", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "reply", steps: [{ text: "Half a sent" }, { cut: true }] }]);
    await useScenario(client, "openai", s);
    const sent = await client.call("chat.send", { sessionKey: "cut", message: "x", model: "openai/gpt-4o" });
    const err = await client.next(isChat(sent.runId, "error"));
    expect(err.payload.errorMessage).toMatch(/^openai: /);
    expect(err.payload.message.content[0].text).toBe("Half a sent");
    // The session is free again.
    const s2 = await scenario([{ kind: "echo" }]);
    await useScenario(client, "openai", s2);
    const next = await client.call("chat.send", { sessionKey: "cut", message: "again", model: "openai/gpt-4o" });
    await client.next(isChat(next.runId, "final"));
    client.close();
  });

  it("a provider without a key is refused up front as Invalid Params", async () => {
    const { client } = await connected();
    const res2 = await client.request("chat.send", { sessionKey: "nokey", message: "x", model: "groq/llama-3.3-70b-versatile" });
    expect(errorOf(res2)).toMatchObject({ code: -32602 });
    expect(errorOf(res2).message).toContain("no API key: set models.providers.groq.apiKey or the Worker secret GROQ_API_KEY");
    client.close();
  });
});

describe("images", () => {
  it("reach a model that accepts them, in the reference form and as v3 attachments", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "echo" }]);
    await useScenario(client, "anthropic", s);
    const sent = await client.call("chat.send", { sessionKey: "img", message: "what is this?", images: [{ mimeType: "image/png", data: PNG_1PX }] });
    await client.next(isChat(sent.runId, "final"));
    const v3 = await client.call("chat.send", { sessionKey: "img", message: "and this?", attachments: [{ type: "image", mimeType: "image/png", fileName: "a.png", content: `data:image/png;base64,${PNG_1PX}` }] }, "v3");
    await client.next(isChat(v3.runId, "final"));
    const [first, second] = (await s.state()).requests;
    expect(first!.body.messages.at(-1).content).toEqual([
      { type: "text", text: "what is this?" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: PNG_1PX } },
    ]);
    expect(second!.body.messages.at(-1).content[1]).toMatchObject({ type: "image", source: { data: PNG_1PX } });
    // Earlier images are not re-sent; history keeps a note of them.
    expect(JSON.stringify(second!.body.messages.slice(0, -1))).not.toContain(PNG_1PX);
    const history = await client.call("chat.history", { sessionKey: "img" });
    expect(history.messages[0].content[1]).toEqual({ type: "image", mimeType: "image/png", bytes: expect.any(Number), omitted: true });
    client.close();
  });

  it("are refused for models that do not take them, and when they are not images", async () => {
    const { client } = await connected();
    await client.call("config.patch", {
      patches: [
        { path: "models.providers.local.baseUrl", value: "http://127.0.0.1:9/v1" },
        { path: "models.providers.local.apiKey", value: "k-local" },
        { path: "models.providers.local.models", value: [{ id: "text-only" }] },
      ],
    });
    const s = await scenario([{ kind: "echo" }]);
    await useScenario(client, "anthropic", s);
    const textOnly = await client.request("chat.send", { sessionKey: "img2", message: "x", model: "local/text-only", images: [{ mimeType: "image/png", data: PNG_1PX }] });
    expect(errorOf(textOnly)).toMatchObject({ code: -32602, message: "invalid chat.send params: images: model local/text-only does not accept images" });
    const pdf = await client.request("chat.send", { sessionKey: "img2", message: "x", attachments: [{ mimeType: "application/pdf", content: "JVBERi0=" }] }, "v3");
    expect(pdf.error).toMatchObject({ code: "INVALID_REQUEST" });
    expect(pdf.error.message).toContain("attachments[0]: only images are supported");
    const junk = await client.request("chat.send", { sessionKey: "img2", message: "x", images: [{ mimeType: "image/png", data: "not base64!!" }] });
    expect(errorOf(junk).message).toContain("images[0]: data is not base64");
    expect((await s.state()).requests.length).toBe(0);
    client.close();
  });
});

describe("params and scopes", () => {
  it("unknown params, empty messages and a read-only client are refused", async () => {
    const { client } = await connected();
    expect(errorOf(await client.request("chat.send", { sessionKey: "p", message: "x", bogus: 1 })).message).toContain('unknown property "bogus"');
    expect(errorOf(await client.request("chat.send", { sessionKey: "p", message: "  " })).message).toContain("message: must not be empty");
    expect(errorOf(await client.request("chat.send", { sessionKey: "p", message: "x", model: "anthropic" })).code).toBe(-32602);
    const reader = await TestClient.open();
    await reader.call("connect", connectParams({ scopes: ["operator.read"] }));
    expect(errorOf(await reader.request("chat.send", { sessionKey: "p", message: "x" }))).toMatchObject({ code: -32002, message: "missing scope: operator.write" });
    expect(await reader.call("chat.history", { sessionKey: "main" })).toMatchObject({ sessionKey: "agent:main:main", messages: expect.any(Array) });
    expect(errorOf(await reader.request("chat.history", { sessionKey: "nope" })).code).toBe(-32001);
    client.close();
    reader.close();
  });
});
