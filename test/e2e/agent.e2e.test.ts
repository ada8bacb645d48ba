// End to end: the agent runtime over the real `npm run dev` (wrangler dev), driven by two
// dashboards over `ws` (one per framing), against the fake model provider (Anthropic Messages
// and OpenAI Chat Completions wire formats) running in this process. The provider is configured
// the way a user does it, through config.set / config.patch over the protocol.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrlFor, type Scenario } from "../fakes/model-provider.ts";
import {
  agentEvents,
  chatEvents,
  configureProvider,
  isAgentOf,
  isChatOf,
  runEvents,
  waitFrame,
  waitFrames,
  waitRunEnd,
  waitScenario,
  type Frame,
} from "./helpers/chat";
import { REPO_ROOT } from "./helpers/dev-server";
import type { GatewayClient, Framing } from "./helpers/gateway-client";
import { DashboardStack, FRAMINGS } from "./helpers/stack";

const stack = new DashboardStack();
const rand = () => randomBytes(6).toString("hex");
const ANTHROPIC_KEY = `sk-ant-e2e-${randomBytes(16).toString("hex")}`;
const OPENAI_KEY = `sk-openai-e2e-${randomBytes(16).toString("hex")}`;
const DEFAULT_MODEL = "anthropic/claude-sonnet-4-20250514";
const other = (f: Framing): Framing => (f === "jsonrpc" ? "v3" : "jsonrpc");


/** What sessions.list must show for the sessions this file used (filled in as runs finish). */
interface ExpectedSession {
  messageCount: number;
  inputTokens: number;
  outputTokens: number;
  model: string;
}
const expectedSessions = new Map<string, ExpectedSession>();
/** chat.history of every session used, read just before the restart. */
const historyBeforeRestart = new Map<string, any>();
const memoryNotes: string[] = [];

const liveFake = () => stack.fake;
/** One connected dashboard per framing; both receive every broadcast. */
const client = (framing: Framing) => stack.client(framing);

/** Registers a scenario with the fake and points `provider` at it (config.set baseUrl). */
async function useScenario(c: GatewayClient, provider: "anthropic" | "openai", s: Scenario): Promise<string> {
  const id = liveFake().addScenario(s);
  await configureProvider(c, provider, baseUrlFor(liveFake().url, id));
  return id;
}

/** Index in `c.frames` of the response (not an event) to request `id`. */
const responseIndex = (c: GatewayClient, id: string) => c.frames.findIndex((f) => f?.id === id && f.type !== "event");
const responsesTo = (c: GatewayClient, id: string) => c.frames.filter((f) => f?.id === id && f?.type !== "event");

/** Checks what every run's agent events share: numbering 1..n, run, session, stream, ts; tenant seq increasing. */
function expectWellFormedRun(events: Frame[], runId: string, sessionKey: string) {
  expect(events.length).toBeGreaterThanOrEqual(2);
  expect(events.map((e) => e.payload.seq)).toEqual(events.map((_, i) => i + 1));
  for (const e of events) {
    expect(e).toMatchObject({ type: "event", event: "agent", seq: expect.any(Number) });
    expect(e.payload).toMatchObject({ runId, sessionKey: `agent:main:${sessionKey}`, ts: expect.any(Number), data: expect.any(Object) });
    expect(["lifecycle", "assistant", "tool", "error"]).toContain(e.payload.stream);
  }
  const tenantSeqs = events.map((e) => e.seq as number);
  expect(tenantSeqs).toEqual([...tenantSeqs].sort((a, b) => a - b));
  expect(new Set(tenantSeqs).size).toBe(tenantSeqs.length);
  expect(events[0].payload).toMatchObject({ stream: "lifecycle", data: { phase: "start", startedAt: expect.any(Number) } });
}

/** Assistant deltas: each `text` is the whole text so far; together the deltas are `text`. */
function expectAssistantStream(events: Frame[], text: string) {
  const deltas = events.filter((e) => e.payload.stream === "assistant");
  expect(deltas.length).toBeGreaterThan(0);
  let soFar = "";
  for (const d of deltas) {
    soFar += d.payload.data.delta;
    expect(d.payload.data.text).toBe(soFar);
  }
  expect(soFar).toBe(text);
}

/** Chat events of a run: numbered 1..n, deltas carry a prefix of the text, exactly one closing event, last. */
function expectChatStream(chats: Frame[], runId: string, sessionKey: string, text: string, endState: string) {
  expect(chats.map((e) => e.payload.seq)).toEqual(chats.map((_, i) => i + 1));
  for (const e of chats) expect(e.payload).toMatchObject({ runId, sessionKey: `agent:main:${sessionKey}` });
  const ends = chats.filter((e) => e.payload.state !== "delta");
  expect(ends.map((e) => e.payload.state)).toEqual([endState]);
  expect(chats.at(-1)).toBe(ends[0]);
  for (const d of chats.slice(0, -1)) {
    expect(d.payload.state).toBe("delta");
    expect(d.payload.message).toMatchObject({ role: "assistant", content: [{ type: "text", text: expect.any(String) }], timestamp: expect.any(Number) });
    expect(text.startsWith(d.payload.message.content[0].text)).toBe(true);
  }
}

/** The other dashboard saw exactly the same frames for the run (same tenant seq too). */
async function expectObserverSawSame(sender: GatewayClient, observer: GatewayClient, runId: string) {
  await waitRunEnd(observer, runId);
  expect(runEvents(observer, runId)).toEqual(runEvents(sender, runId));
}

beforeAll(() => stack.start());
afterAll(() => stack.stop());

describe("providers are configured through the protocol", () => {
  it("config.set baseUrl + apiKey: models.list shows anthropic available, config.get never shows the key", async () => {
    const c = client("jsonrpc");
    // Unless the developer's .dev.vars hands the Worker an operator key, anthropic starts unavailable.
    const devVars = join(REPO_ROOT, ".dev.vars");
    const operatorKey = existsSync(devVars) && /^\s*ANTHROPIC_API_KEY\s*=/m.test(readFileSync(devVars, "utf8"));
    const before = await c.call("models.list", {});
    expect(before.defaultModel).toBe(DEFAULT_MODEL);
    if (!operatorKey) {
      expect(before.providers.find((p: any) => p.id === "anthropic")).toMatchObject({ available: false, reason: expect.stringContaining("no API key") });
      const refused = await c.request("chat.send", { sessionKey: "e2e-nokey", message: "hi" });
      expect(refused.error).toMatchObject({ code: -32602, message: expect.stringContaining("is not available") });
    }

    const baseUrl = baseUrlFor(liveFake().url, liveFake().addScenario({ replies: [{ kind: "echo" }] }));
    expect(await c.call("config.set", { path: "models.providers.anthropic.baseUrl", value: baseUrl })).toMatchObject({ ok: true });
    const set = await c.call("config.set", { path: "models.providers.anthropic.apiKey", value: ANTHROPIC_KEY });
    expect(set).toMatchObject({ ok: true });
    expect(JSON.stringify(set)).not.toContain(ANTHROPIC_KEY);

    const models = await c.call("models.list", {});
    expect(models.providers.find((p: any) => p.id === "anthropic")).toMatchObject({ id: "anthropic", api: "anthropic", available: true, baseUrl });
    expect(models.models.find((m: any) => m.id === DEFAULT_MODEL)).toMatchObject({ provider: "anthropic", available: true });
    expect(JSON.stringify(models)).not.toContain(ANTHROPIC_KEY);

    // the v3 dashboard reads the same config; the key is never returned
    const cfg = await client("v3").call("config.get", {});
    expect(cfg.config.models.providers.anthropic.baseUrl).toBe(baseUrl);
    expect(JSON.stringify(cfg)).not.toContain(ANTHROPIC_KEY);
  });

  it("config.patch sets the openai provider in one request (v3)", async () => {
    const c = client("v3");
    const baseUrl = baseUrlFor(liveFake().url, liveFake().addScenario({ replies: [{ kind: "echo" }] }));
    const res = await c.call("config.patch", {
      patches: [
        { path: "models.providers.openai.baseUrl", value: baseUrl },
        { path: "models.providers.openai.apiKey", value: OPENAI_KEY },
      ],
    });
    expect(res).toMatchObject({ ok: true });
    expect(JSON.stringify(res)).not.toContain(OPENAI_KEY);
    const models = await client("jsonrpc").call("models.list", {});
    expect(models.providers.find((p: any) => p.id === "openai")).toMatchObject({ available: true, baseUrl });
    expect(models.models.find((m: any) => m.id === "openai/gpt-4o")).toMatchObject({ available: true });
  });
});

describe.each(FRAMINGS)("agent runs, %s framing", (framing) => {
  const sender = () => client(framing);
  const observer = () => client(other(framing));

  it("chat.send streams the reply to both dashboards; history and idempotency hold", async () => {
    const c = sender();
    const sessionKey = `e2e-stream-${framing}`;
    const message = `Hello over ${framing}, please answer`;
    const text = `Hello from the fake provider over ${framing}: streamed in small chunks, all of it.`;
    const sid = await useScenario(c, "anthropic", { replies: [{ kind: "reply", steps: [{ text, chunkSize: 5 }], usage: { input: 42, output: 7 } }] });
    const idempotencyKey = `e2e-run-${framing}-${rand()}`;
    const reqId = `send-${rand()}`;

    const sent = await c.call("chat.send", { sessionKey, message, idempotencyKey }, reqId);
    expect(sent).toEqual({ runId: idempotencyKey, status: "started" });
    const runId: string = sent.runId;

    const final = await waitFrame(c, isChatOf(runId, "final"), "chat final");
    expect(final).toMatchObject({ type: "event", event: "chat", seq: expect.any(Number) });
    expect(final.payload).toMatchObject({
      runId,
      sessionKey: `agent:main:${sessionKey}`,
      state: "final",
      message: { role: "assistant", content: [{ type: "text", text }], timestamp: expect.any(Number) },
      usage: { input: 42, output: 7 },
    });

    // the acknowledgement came before the first event of the run
    const firstEvent = c.frames.findIndex(isAgentOf(runId));
    expect(responseIndex(c, reqId)).toBeGreaterThanOrEqual(0);
    expect(responseIndex(c, reqId)).toBeLessThan(firstEvent);

    const events = agentEvents(c, runId);
    expectWellFormedRun(events, runId, sessionKey);
    expect(events[0].payload.data.model).toBe(DEFAULT_MODEL);
    expectAssistantStream(events, text);
    expect(events.filter((e) => e.payload.stream === "tool" || e.payload.stream === "error")).toEqual([]);
    expect(events.at(-1).payload).toMatchObject({ stream: "lifecycle", data: { phase: "end", endedAt: expect.any(Number), usage: { input: 42, output: 7 } } });
    expect(events.at(-1).payload.data.aborted).toBeUndefined();

    const chats = chatEvents(c, runId);
    expectChatStream(chats, runId, sessionKey, text, "final");
    expect(chats.length).toBeGreaterThanOrEqual(2); // at least one throttled delta before the final
    // the final chat event closes the run: it is broadcast after the last agent event
    expect(final.seq).toBeGreaterThan(events.at(-1).seq);

    await expectObserverSawSame(c, observer(), runId);

    // what the provider got: the key set through config, the default model, the user's message
    const st = liveFake().scenario(sid)!;
    expect(st.requests.length).toBe(1);
    expect(st.requests[0]!.api).toBe("anthropic");
    expect(st.requests[0]!.headers["x-api-key"]).toBe(ANTHROPIC_KEY);
    expect(st.requests[0]!.body).toMatchObject({ model: "claude-sonnet-4-20250514", stream: true });
    expect(st.requests[0]!.body.messages).toEqual([{ role: "user", content: [{ type: "text", text: message }] }]);

    // the same idempotency key again: answered from the run record, no new model call
    expect(await c.call("chat.send", { sessionKey, message, idempotencyKey })).toEqual({ runId, status: "ok" });
    expect(liveFake().scenario(sid)!.requests.length).toBe(1);

    const history = await c.call("chat.history", { sessionKey });
    expect(history).toMatchObject({ sessionKey: `agent:main:${sessionKey}`, sessionId: expect.any(String) });
    expect(history.sessionId.length).toBeGreaterThan(0);
    expect(history.messages).toHaveLength(2);
    expect(history.messages[0]).toMatchObject({ role: "user", content: [{ type: "text", text: message }], timestamp: expect.any(Number), runId });
    expect(history.messages[1]).toMatchObject({
      role: "assistant",
      content: [{ type: "text", text }],
      timestamp: expect.any(Number),
      runId,
      model: DEFAULT_MODEL,
      usage: { input: 42, output: 7 },
    });
    expect(history.messages[1].timestamp).toBeGreaterThanOrEqual(history.messages[0].timestamp);
    expectedSessions.set(sessionKey, { messageCount: 2, inputTokens: 42, outputTokens: 7, model: DEFAULT_MODEL });
  });

  it("a tool-calling turn: memory_append runs, tool events stream, MEMORY.md holds the note", async () => {
    const c = sender();
    const sessionKey = `e2e-tools-${framing}`;
    const note = `E2E note over ${framing}: the user likes green tea (${rand()})`;
    const sid = await useScenario(c, "anthropic", {
      replies: [
        { kind: "reply", steps: [{ text: "Saving that. " }, { toolCall: { name: "memory_append", input: { text: note } } }], usage: { input: 100, output: 10 } },
        { kind: "reply", steps: [{ text: "Noted: green tea." }], usage: { input: 120, output: 12 } },
      ],
    });
    const sent = await c.call("chat.send", { sessionKey, message: "Remember that I like green tea" });
    expect(sent).toEqual({ runId: expect.any(String), status: "started" });
    const runId: string = sent.runId;
    const end = await waitRunEnd(c, runId);
    expect(end.payload).toMatchObject({ state: "final", message: { content: [{ type: "text", text: "Saving that. Noted: green tea." }] }, usage: { input: 220, output: 22 } });

    const events = agentEvents(c, runId);
    expectWellFormedRun(events, runId, sessionKey);
    expectAssistantStream(events, "Saving that. Noted: green tea.");
    const tools = events.filter((e) => e.payload.stream === "tool");
    expect(tools.map((e) => e.payload.data)).toEqual([
      { phase: "start", name: "memory_append", toolCallId: expect.stringMatching(/^toolu_/), args: { text: note } },
      { phase: "result", name: "memory_append", toolCallId: expect.any(String), result: { ok: true, bytes: expect.any(Number) }, isError: false },
    ]);
    const toolCallId = tools[0].payload.data.toolCallId;
    expect(tools[1].payload.data.toolCallId).toBe(toolCallId);
    // order: first text, tool start, tool result, then the text of the second model call
    const streams = events.map((e) => (e.payload.stream === "tool" ? `tool:${e.payload.data.phase}` : e.payload.stream));
    const lastTool = streams.lastIndexOf("tool:result");
    expect(streams.indexOf("assistant")).toBeLessThan(streams.indexOf("tool:start"));
    expect(streams.indexOf("tool:start")).toBeLessThan(lastTool);
    expect(events.slice(lastTool + 1).some((e) => e.payload.stream === "assistant" && e.payload.data.delta.length > 0)).toBe(true);
    expect(events.at(-1).payload).toMatchObject({ stream: "lifecycle", data: { phase: "end" } });
    expectChatStream(chatEvents(c, runId), runId, sessionKey, "Saving that. Noted: green tea.", "final");
    await expectObserverSawSame(c, observer(), runId);

    // the provider: memory_append offered as a tool, its result sent back on the second call
    const st = liveFake().scenario(sid)!;
    expect(st.requests.length).toBe(2);
    expect(st.requests[0]!.body.tools.map((t: any) => t.name)).toContain("memory_append");
    expect(st.requests[1]!.body.messages.at(-1)).toMatchObject({ role: "user", content: [{ type: "tool_result", tool_use_id: toolCallId }] });

    const memory = await c.call("agents.files.get", { agentId: "main", filename: "MEMORY.md" });
    expect(memory).toMatchObject({ agentId: "main", file: { name: "MEMORY.md", missing: false } });
    expect(memory.file.content).toContain(note);
    memoryNotes.push(note);

    const history = await c.call("chat.history", { sessionKey });
    expect(history.messages.map((m: any) => m.role)).toEqual(["user", "assistant"]);
    expect(history.messages[1].content.map((p: any) => p.type)).toEqual(["text", "toolCall", "toolResult", "text"]);
    expect(history.messages[1].content[1]).toMatchObject({ type: "toolCall", id: toolCallId, name: "memory_append", arguments: { text: note } });
    expectedSessions.set(sessionKey, { messageCount: 2, inputTokens: 220, outputTokens: 22, model: DEFAULT_MODEL });
  });

  it("chat.abort during a held reply: aborted with the partial text, upstream request cancelled", async () => {
    const c = sender();
    const sessionKey = `e2e-abort-${framing}`;
    const sid = await useScenario(c, "anthropic", { replies: [{ kind: "reply", steps: [{ text: "Partial answer", chunkSize: 7 }, { hold: true }, { text: " never sent" }] }] });
    try {
      const sent = await c.call("chat.send", { sessionKey, message: "Tell me a long story" });
      const runId: string = sent.runId;
      await waitScenario(liveFake(), sid, (st) => st.waitingAtHold === 1, "reply held");
      await waitFrame(c, (f) => isAgentOf(runId)(f) && f.payload.stream === "assistant" && f.payload.data.text === "Partial answer", "the partial text");

      const abort = await c.call("chat.abort", { sessionKey });
      expect(abort).toEqual({ ok: true, aborted: true, runIds: [runId] });
      const aborted = await waitRunEnd(c, runId);
      expect(aborted.payload).toMatchObject({
        runId,
        sessionKey: `agent:main:${sessionKey}`,
        state: "aborted",
        message: { role: "assistant", content: [{ type: "text", text: "Partial answer" }] },
      });
      const events = agentEvents(c, runId);
      expectWellFormedRun(events, runId, sessionKey);
      expectAssistantStream(events, "Partial answer");
      expect(events.at(-1).payload).toMatchObject({ stream: "lifecycle", data: { phase: "end", aborted: true } });
      expectChatStream(chatEvents(c, runId), runId, sessionKey, "Partial answer", "aborted");
      await expectObserverSawSame(c, observer(), runId);

      // the upstream request was cancelled, not left running
      await waitScenario(liveFake(), sid, (st) => st.aborted === 1 && st.open === 0, "upstream request aborted");
      expect(await c.call("chat.abort", { sessionKey })).toEqual({ ok: true, aborted: false, runIds: [] });

      const history = await c.call("chat.history", { sessionKey });
      expect(history.messages).toHaveLength(2);
      expect(history.messages[1]).toMatchObject({ role: "assistant", stopReason: "aborted", content: [{ type: "text", text: "Partial answer" }] });
      expectedSessions.set(sessionKey, { messageCount: 2, inputTokens: 0, outputTokens: 0, model: DEFAULT_MODEL });
    } finally {
      liveFake().release(sid);
    }
  });

  it("an upstream 429 ends the run with chat state error, anthropic: HTTP 429 …", async () => {
    const c = sender();
    const sessionKey = `e2e-429-${framing}`;
    const detail = `e2e rate limit, slow down (${framing})`;
    const sid = await useScenario(c, "anthropic", { replies: [{ kind: "error", status: 429, message: detail }] });
    const sent = await c.call("chat.send", { sessionKey, message: "Are you there?" });
    const runId: string = sent.runId;
    const err = await waitRunEnd(c, runId);
    expect(err.payload).toMatchObject({ runId, sessionKey: `agent:main:${sessionKey}`, state: "error", errorMessage: expect.stringMatching(/^anthropic: HTTP 429/) });
    expect(err.payload.errorMessage).toContain(detail);
    expect(JSON.stringify(err)).not.toContain(ANTHROPIC_KEY);

    const events = agentEvents(c, runId);
    expectWellFormedRun(events, runId, sessionKey);
    expect(events.slice(-2).map((e) => e.payload)).toMatchObject([
      { stream: "error", data: { message: err.payload.errorMessage } },
      { stream: "lifecycle", data: { phase: "error", error: err.payload.errorMessage } },
    ]);
    expectChatStream(chatEvents(c, runId), runId, sessionKey, "", "error");
    await expectObserverSawSame(c, observer(), runId);
    expect(liveFake().scenario(sid)!.requests.length).toBe(1); // no silent retries

    const history = await c.call("chat.history", { sessionKey });
    expect(history.messages.map((m: any) => m.role)).toEqual(["user", "assistant"]);
    expect(history.messages[1]).toMatchObject({ stopReason: "error", errorMessage: err.payload.errorMessage });
    expectedSessions.set(sessionKey, { messageCount: 2, inputTokens: 0, outputTokens: 0, model: DEFAULT_MODEL });
  });

  it(`agent ${framing === "v3" ? "answers twice with the same id: accepted, then ok with the summary" : "answers once (accepted): a JSON-RPC id gets one response"}`, async () => {
    const c = sender();
    const sessionKey = `e2e-agent-${framing}`;
    const text = `Daily report over ${framing}: all systems nominal.`;
    await useScenario(c, "anthropic", { replies: [{ kind: "reply", steps: [{ text }], usage: { input: 30, output: 9 } }] });
    const idempotencyKey = `e2e-agent-${framing}-${rand()}`;
    const id = `agent-${rand()}`;
    const params = { message: "Run the daily report", sessionKey, idempotencyKey };
    c.sendRaw(JSON.stringify(framing === "v3" ? { type: "req", id, method: "agent", params } : { id, method: "agent", params }));

    const first = await waitFrame(c, (f) => f.id === id && f.type !== "event", "agent accepted");
    const accepted = framing === "v3" ? first.payload : first.result;
    if (framing === "v3") expect(first).toMatchObject({ type: "res", id, ok: true });
    expect(accepted).toEqual({ runId: idempotencyKey, status: "accepted", acceptedAt: expect.any(Number) });

    const end = await waitRunEnd(c, idempotencyKey);
    expect(end.payload).toMatchObject({ state: "final", message: { content: [{ type: "text", text }] } });
    expectWellFormedRun(agentEvents(c, idempotencyKey), idempotencyKey, sessionKey);
    expectAssistantStream(agentEvents(c, idempotencyKey), text);
    await expectObserverSawSame(c, observer(), idempotencyKey);

    if (framing === "v3") {
      const [, second] = await waitFrames(c, (f) => f.id === id && f.type === "res", 2, "agent's second response");
      expect(second).toMatchObject({ type: "res", id, ok: true });
      expect(second.payload).toEqual({ runId: idempotencyKey, status: "ok", summary: text });
      // the final status follows the run's closing chat event
      expect(c.frames.indexOf(second)).toBeGreaterThan(c.frames.indexOf(end));
    } else {
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(responsesTo(c, id)).toHaveLength(framing === "v3" ? 2 : 1);
    expect(await c.call("agent.wait", { runId: idempotencyKey, timeoutMs: 1000 })).toMatchObject({ runId: idempotencyKey, status: "ok" });
    expectedSessions.set(sessionKey, { messageCount: 2, inputTokens: 30, outputTokens: 9, model: DEFAULT_MODEL });
  });
});

describe("openai provider", () => {
  it("chat.send with model openai/gpt-4o streams through Chat Completions", async () => {
    const c = client("v3");
    const sessionKey = "e2e-openai";
    const text = "Bonjour from the fake OpenAI!";
    const sid = await useScenario(c, "openai", { replies: [{ kind: "reply", steps: [{ text, chunkSize: 4 }], usage: { input: 5, output: 3 } }] });
    const sent = await c.call("chat.send", { sessionKey, message: "Salut", model: "openai/gpt-4o" });
    expect(sent).toEqual({ runId: expect.any(String), status: "started" });
    const final = await waitRunEnd(c, sent.runId);
    expect(final.payload).toMatchObject({ state: "final", message: { content: [{ type: "text", text }] }, usage: { input: 5, output: 3 } });
    const events = agentEvents(c, sent.runId);
    expectWellFormedRun(events, sent.runId, sessionKey);
    expect(events[0].payload.data.model).toBe("openai/gpt-4o");
    expectAssistantStream(events, text);
    await expectObserverSawSame(c, client("jsonrpc"), sent.runId);

    const req = liveFake().scenario(sid)!.requests[0]!;
    expect(req.api).toBe("openai");
    expect(req.path).toMatch(/\/chat\/completions$/);
    expect(req.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(req.body).toMatchObject({ model: "gpt-4o", stream: true });
    expect(req.body.messages.at(-1)).toEqual({ role: "user", content: "Salut" });

    const history = await client("jsonrpc").call("chat.history", { sessionKey });
    expect(history.messages[1]).toMatchObject({ role: "assistant", content: [{ type: "text", text }], model: "openai/gpt-4o" });
    expectedSessions.set(sessionKey, { messageCount: 2, inputTokens: 5, outputTokens: 3, model: "openai/gpt-4o" });
  });
});

function expectSessionsListed(list: any) {
  expect(list).toMatchObject({ ts: expect.any(Number), count: expect.any(Number), defaults: { model: DEFAULT_MODEL }, sessions: expect.any(Array) });
  expect(list.count).toBe(list.sessions.length);
  for (const [key, exp] of expectedSessions) {
    const row = list.sessions.find((s: any) => s.key === `agent:main:${key}`);
    expect(row, `sessions.list lists ${key}`).toBeDefined();
    expect(row).toMatchObject({
      key: `agent:main:${key}`,
      agentId: "main",
      sessionId: expect.any(String),
      messageCount: exp.messageCount,
      inputTokens: exp.inputTokens,
      outputTokens: exp.outputTokens,
      totalTokens: exp.inputTokens + exp.outputTokens,
      model: exp.model,
      active: false,
    });
  }
}

describe("sessions and models", () => {
  it("sessions.list shows every session used, with message counts and token totals (both framings)", async () => {
    expect(expectedSessions.size).toBe(11);
    for (const framing of FRAMINGS) expectSessionsListed(await client(framing).call("sessions.list", {}));
  });

  it("models.list shows anthropic and openai available", async () => {
    const models = await client("v3").call("models.list", {});
    for (const id of ["anthropic", "openai"]) expect(models.providers.find((p: any) => p.id === id)).toMatchObject({ available: true });
    expect(models.models.filter((m: any) => m.provider === "anthropic").every((m: any) => m.available)).toBe(true);
  });
});

describe("restart", () => {
  it("history, sessions, memory and run records survive stopping and starting on the same state dir", async () => {
    const rpc = client("jsonrpc");
    for (const key of expectedSessions.keys()) historyBeforeRestart.set(key, await rpc.call("chat.history", { sessionKey: key }));
    const listBefore = await rpc.call("sessions.list", {});
    const maxSeqBefore = Math.max(...rpc.frames.filter((f) => typeof f?.seq === "number").map((f) => f.seq));

    const old = await stack.stopServer();
    expect(old.running).toBe(false);
    await expect(fetch(`${old.httpUrl}/health`)).rejects.toThrow();

    await stack.startServer();

    for (const framing of FRAMINGS) {
      const c = client(framing);
      for (const [key, before] of historyBeforeRestart) {
        expect(await c.call("chat.history", { sessionKey: key }), `chat.history ${key} after restart (${framing})`).toEqual(before);
      }
      const list = await c.call("sessions.list", {});
      expectSessionsListed(list);
      for (const key of expectedSessions.keys()) {
        const k = `agent:main:${key}`;
        expect(list.sessions.find((s: any) => s.key === k)).toEqual(listBefore.sessions.find((s: any) => s.key === k));
      }
    }
    const memory = await client("v3").call("agents.files.get", { agentId: "main", filename: "MEMORY.md" });
    for (const note of memoryNotes) expect(memory.file.content).toContain(note);

    // The run records outlive the restart: a finished run's idempotency key is answered from them.
    const agentRun = historyBeforeRestart.get("e2e-agent-v3").messages[0].runId;
    expect(await client("v3").call("agent.wait", { runId: agentRun, timeoutMs: 1000 })).toMatchObject({ runId: agentRun, status: "ok" });

    // The session continues: the stored key (encrypted config) is used, and the model gets the earlier turns.
    const c = client("v3");
    const sessionKey = "e2e-stream-v3";
    const sid = await useScenario(c, "anthropic", { replies: [{ kind: "echo" }] }); // baseUrl only, the key is the stored one
    const sent = await c.call("chat.send", { sessionKey, message: "after the restart" });
    const final = await waitRunEnd(c, sent.runId);
    expect(final.payload).toMatchObject({ state: "final", message: { content: [{ type: "text", text: "echo: after the restart" }] } });
    expect(final.seq).toBeGreaterThan(maxSeqBefore); // the tenant seq keeps increasing across restarts
    await expectObserverSawSame(c, client("jsonrpc"), sent.runId);
    const req = liveFake().scenario(sid)!.requests[0]!;
    expect(req.headers["x-api-key"]).toBe(ANTHROPIC_KEY);
    const before = historyBeforeRestart.get(sessionKey).messages;
    expect(req.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: before[0].content[0].text }] },
      { role: "assistant", content: [{ type: "text", text: before[1].content[0].text }] },
      { role: "user", content: [{ type: "text", text: "after the restart" }] },
    ]);
    const history = await client("jsonrpc").call("chat.history", { sessionKey });
    expect(history.sessionId).toBe(historyBeforeRestart.get(sessionKey).sessionId);
    expect(history.messages.slice(0, 2)).toEqual(before);
    expect(history.messages.slice(2).map((m: any) => [m.role, m.content[0].text])).toEqual([
      ["user", "after the restart"],
      ["assistant", "echo: after the restart"],
    ]);
  }, 300_000);
});
