// Heartbeats: skipped without a model call when there is nothing to read, HEARTBEAT_OK
// acknowledged and not delivered, anything else delivered to the main session; wake and
// set-heartbeats; scheduled only while there is something to read.
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { connected, type Frame, type TestClient } from "../support/client";
import { scenario, until, useScenario } from "../support/provider";
import { at, fireAlarm, setClock } from "../support/scheduling";

const NOW = at("2026-11-25T10:00:00Z");
const MIN = 60_000;
const heartbeatEvent = (c: TestClient, status?: string) => c.next((f) => f.event === "heartbeat" && (!status || f.payload.status === status));
const setHeartbeatFile = (c: TestClient, content: string) => c.call("agents.files.set", { agentId: "main", filename: "HEARTBEAT.md", content });
const wakeupRow = async () => (await env.DB.prepare("select next_wake_at_ms from tenant_wakeups where tenant_id = 'default'").first<{ next_wake_at_ms: number }>())?.next_wake_at_ms;

beforeEach(async () => {
  await setClock(NOW);
});

describe("heartbeats", () => {
  it("with an empty HEARTBEAT.md and nothing queued: not scheduled, and skipped without a model call when woken", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "echo" }]);
    await useScenario(client, "anthropic", s);
    await setHeartbeatFile(client, "# Heartbeat\n\n<!-- nothing yet -->\n");
    expect(await wakeupRow()).toBeUndefined(); // an idle tenant is never woken
    expect(await client.call("wake", { mode: "now" })).toMatchObject({ ok: true, mode: "now", queued: 0 });
    const skipped = await heartbeatEvent(client);
    expect(skipped.payload).toMatchObject({ agentId: "main", status: "skipped", reason: "empty-heartbeat-file", ts: NOW });
    expect((await s.state()).requests.length).toBe(0);
    expect(await client.call("last-heartbeat", {})).toMatchObject({ status: "skipped" });
    client.close();
  });

  it("a reply of only HEARTBEAT_OK is acknowledged: not stored, not streamed", async () => {
    const { client } = await connected("/ws", { framing: "v3" });
    const s = await scenario([{ kind: "reply", steps: [{ text: "**HEARTBEAT_OK**" }] }]);
    await useScenario(client, "anthropic", s);
    await setHeartbeatFile(client, "- check the calendar for conflicts");
    const due = (await client.call("cron.status", {}, "v3")).nextWakeAtMs;
    expect(due).toBe(NOW + 30 * MIN); // default interval, from when it became due
    expect(await wakeupRow()).toBe(NOW + 30 * MIN);
    const before = (await client.call("chat.history", { sessionKey: "main" }, "v3")).messages.length;

    await setClock(due);
    await fireAlarm();
    const ok = await heartbeatEvent(client);
    expect(ok.payload).toMatchObject({ status: "ok-token", agentId: "main", durationMs: 0 });
    const prompt = (await s.state()).requests[0]!.body.messages.at(-1).content[0].text as string;
    expect(prompt).toContain("check the calendar for conflicts");
    expect(prompt).toContain("HEARTBEAT_OK");
    expect((await client.call("chat.history", { sessionKey: "main" }, "v3")).messages.length).toBe(before);
    expect(client.pending().filter((f) => f.event === "chat" || f.event === "agent")).toEqual([]);
    expect((await client.call("cron.status", {}, "v3")).nextWakeAtMs).toBe(due + 30 * MIN);
    client.close();
  });

  it("anything else is delivered: stored in the main session and announced as a final chat event", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "reply", steps: [{ text: "Your 3pm clashes with the dentist." }] }]);
    await useScenario(client, "anthropic", s);
    await setHeartbeatFile(client, "- check the calendar for conflicts");
    const due = (await client.call("cron.status", {})).nextWakeAtMs;
    await setClock(due);
    await fireAlarm();
    const sent = await heartbeatEvent(client);
    expect(sent.payload).toMatchObject({ status: "sent", preview: "Your 3pm clashes with the dentist." });
    const chat = await client.next((f) => f.event === "chat" && f.payload.state === "final");
    expect(chat.payload).toMatchObject({ sessionKey: "agent:main:main", message: { content: [{ type: "text", text: "Your 3pm clashes with the dentist." }] } });
    const history = (await client.call("chat.history", { sessionKey: "main" })).messages;
    expect(history.slice(-2).map((m: Frame) => m.role)).toEqual(["user", "assistant"]);
    expect(history.at(-2).content[0].text).toMatch(/^\[Heartbeat/);
    client.close();
  });

  it("queued system events are read by the next heartbeat, then cleared; wake mode now runs it at once", async () => {
    const { client } = await connected();
    await setHeartbeatFile(client, "");
    const s = await scenario([{ kind: "reply", steps: [{ text: "HEARTBEAT_OK" }] }]);
    await useScenario(client, "anthropic", s);
    expect(await client.call("wake", { text: "The package arrived", mode: "next-heartbeat" })).toMatchObject({ queued: 1 });
    // A queued event makes the heartbeat due even with an empty HEARTBEAT.md.
    expect((await client.call("cron.status", {})).nextWakeAtMs).toBeTypeOf("number");
    await client.call("wake", { text: "Dana called", mode: "now" });
    const ok = await heartbeatEvent(client, "ok-token");
    expect(ok.payload.reason).toBe("wake");
    const prompt = (await s.state()).requests[0]!.body.messages.at(-1).content[0].text as string;
    expect(prompt).toContain("The package arrived");
    expect(prompt).toContain("Dana called");
    expect(await client.call("wake", {})).toMatchObject({ queued: 0 });
    client.close();
  });

  it("a heartbeat in progress is not due again (the alarm does not spin on it)", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "reply", steps: [{ hold: true }, { text: "HEARTBEAT_OK" }] }]);
    await useScenario(client, "anthropic", s);
    await setHeartbeatFile(client, "- look around");
    const due = (await client.call("cron.status", {})).nextWakeAtMs;
    await setClock(due + MIN);
    await fireAlarm();
    await until(s, (st) => st.waitingAtHold === 1);
    await client.call("wake", { mode: "next-heartbeat" }); // replans while it runs
    const next = (await client.call("cron.status", {})).nextWakeAtMs;
    expect(next === null || next > due + MIN).toBe(true);
    await s.release();
    expect((await heartbeatEvent(client, "ok-token")).payload.agentId).toBe("main");
    expect((await client.call("cron.status", {})).nextWakeAtMs).toBe(due + MIN + 30 * MIN);
    await setHeartbeatFile(client, "");
    client.close();
  });

  it("a failed heartbeat keeps the queue; set-heartbeats {enabled:false} stops scheduling", async () => {
    const { client } = await connected();
    await useScenario(client, "anthropic", await scenario([{ kind: "error", status: 500, message: "down" }]));
    await client.call("wake", { text: "Remind me about taxes", mode: "now" });
    const failed = await heartbeatEvent(client, "failed");
    expect(failed.payload.reason).toBe("anthropic: HTTP 500 (server error): down");
    expect(await client.call("wake", {})).toMatchObject({ queued: 1 });
    expect(await client.call("set-heartbeats", { enabled: false })).toEqual({ ok: true, enabled: false });
    expect((await client.call("cron.status", {})).nextWakeAtMs).toBeNull();
    expect(await client.call("set-heartbeats", { enabled: true })).toEqual({ ok: true, enabled: true });
    expect((await client.call("cron.status", {})).nextWakeAtMs).toBeTypeOf("number");
    client.close();
  });

  it("a systemEvent job with wakeMode now delivers into a heartbeat right away; per-agent intervals apply", async () => {
    const { client } = await connected();
    await client.call("config.patch", {
      patches: [
        { path: "agents.list", value: [{ id: "ops", heartbeat: { every: "10m" } }] },
      ],
    });
    const s = await scenario([{ kind: "reply", steps: [{ text: "Deploy check done: all green." }] }]);
    await useScenario(client, "anthropic", s);
    await client.call("agents.files.set", { agentId: "ops", filename: "HEARTBEAT.md", content: "- watch deploys" });
    const due = (await client.call("cron.status", {})).nextWakeAtMs;
    expect(due).toBe(NOW + 10 * MIN);
    const job = await client.call("cron.add", { agentId: "ops", name: "deploy", schedule: { kind: "at", at: "10:05" }, wakeMode: "now", payload: { kind: "systemEvent", text: "Deploy finished" } });
    await setClock(at("2026-11-25T10:05:00Z"));
    await fireAlarm();
    const sent = await heartbeatEvent(client, "sent");
    expect(sent.payload).toMatchObject({ agentId: "ops", reason: "cron:deploy" });
    expect((await s.state()).requests[0]!.body.messages.at(-1).content[0].text).toContain("Deploy finished");
    await client.next((f) => f.event === "cron" && f.payload.jobId === job.id && f.payload.action === "finished");
    expect(await client.call("last-heartbeat", { agentId: "ops" })).toMatchObject({ status: "sent" });
    client.close();
  });
});
