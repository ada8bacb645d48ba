// Cron jobs over real WebSockets, with the tenant's clock, alarm and the minute sweep driven
// by the test: schedule kinds, the 06:00 rule, DST, one run per due time, catch-up, restarts.
import { abortAllDurableObjects } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connected, errorOf, type Frame, type TestClient } from "../support/client";
import { scenario, until, useScenario } from "../support/provider";
import { at, fireAlarm, runSweep, setClock } from "../support/scheduling";

const cronEvent = (c: TestClient, jobId: string, action: string) =>
  c.next((f) => f.event === "cron" && f.payload.jobId === jobId && f.payload.action === action);
const runsOf = async (c: TestClient, id: string) => (await c.call("cron.runs", { id })).entries as Frame[];

const NOW = at("2026-11-25T10:00:00Z");

beforeEach(async () => {
  await setClock(NOW);
});

// Each test starts without jobs (storage is shared within this file).
afterEach(async () => {
  const { client } = await connected();
  for (const job of (await client.call("cron.list", { includeDisabled: true })).jobs) await client.call("cron.remove", { id: job.id });
  client.close();
});

const queuedEvents = async (c: TestClient) => (await c.call("wake", { mode: "next-heartbeat" })).queued as number;

describe("cron jobs: definitions", () => {
  it("cron.add as the reference writes it: the next 06:00 in the agent's zone, defaults filled, an `added` event", async () => {
    const { client } = await connected();
    await client.call("config.set", { path: "agents.defaults.timezone", value: "Europe/Berlin" });
    const job = await client.call("cron.add", {
      name: "Morning Briefing",
      schedule: { kind: "at", at: "06:00" },
      sessionTarget: "isolated",
      wakeMode: "now",
      payload: { kind: "agentTurn", message: "Generate the daily briefing" },
    });
    expect(job).toMatchObject({
      id: expect.any(String),
      agentId: "main",
      name: "Morning Briefing",
      enabled: true,
      deleteAfterRun: false,
      sessionTarget: "isolated",
      wakeMode: "now",
      schedule: { kind: "at", at: "2026-11-26T05:00:00.000Z" }, // 06:00 in Berlin (UTC+1)
      state: { nextRunAtMs: at("2026-11-26T05:00:00Z") },
      createdAtMs: NOW,
    });
    const added = await cronEvent(client, job.id, "added");
    expect(added.payload.nextRunAtMs).toBe(at("2026-11-26T05:00:00Z"));
    await client.call("config.set", { path: "agents.defaults.timezone", value: null });
    // Without a configured zone it is 06:00 UTC.
    const utc = await client.call("cron.add", { name: "utc", schedule: { kind: "at", at: "06:00" }, payload: { kind: "systemEvent", text: "x" } }, "v3");
    expect(utc.state.nextRunAtMs).toBe(at("2026-11-26T06:00:00Z"));
    expect(utc).toMatchObject({ sessionTarget: "main", wakeMode: "next-heartbeat" });
    client.close();
  });

  it("invalid schedules, unknown ids and impossible combinations are Invalid Params", async () => {
    const { client } = await connected();
    const base = { name: "x", payload: { kind: "systemEvent", text: "t" } };
    const bad = async (params: unknown, method = "cron.add") => errorOf(await client.request(method, params));
    expect(await bad({ ...base, schedule: { kind: "cron", expr: "61 * * * *" } })).toMatchObject({ code: -32602, message: expect.stringContaining("invalid cron expression") });
    expect(await bad({ ...base, schedule: { kind: "cron", expr: "0 6 * * *", tz: "Mars/Olympus" } })).toMatchObject({ code: -32602, message: expect.stringContaining("Mars/Olympus") });
    expect(await bad({ ...base, schedule: { kind: "every", everyMs: 5 } })).toMatchObject({ code: -32602 });
    expect(await bad({ ...base, schedule: { kind: "at", at: "2020-01-01T00:00:00Z" } })).toMatchObject({ code: -32602, message: expect.stringContaining("in the past") });
    expect(await bad({ ...base, schedule: { kind: "hourly" } })).toMatchObject({ code: -32602 });
    expect(await bad({ name: "x", schedule: { kind: "every", everyMs: 60_000 }, sessionTarget: "main", payload: { kind: "agentTurn", message: "m" } })).toMatchObject({
      code: -32602,
      message: expect.stringContaining('sessionTarget "main" needs a systemEvent payload'),
    });
    expect(await bad({ ...base, schedule: { kind: "every", everyMs: 60_000 }, sessionTarget: "isolated" })).toMatchObject({ code: -32602 });
    expect(await bad({ ...base, schedule: { kind: "every", everyMs: 60_000 }, agentId: "ghost" })).toMatchObject({ code: -32602, message: expect.stringContaining('unknown agent "ghost"') });
    expect(await bad({ ...base, schedule: { kind: "every", everyMs: 60_000 }, colour: "red" })).toMatchObject({ code: -32602, message: expect.stringContaining('unknown property "colour"') });
    for (const method of ["cron.update", "cron.run", "cron.runs"]) {
      expect(await bad({ id: "nope", ...(method === "cron.update" ? { enabled: false } : {}) }, method)).toMatchObject({ code: -32602, message: expect.stringContaining('unknown job "nope"') });
    }
    expect(await client.call("cron.remove", { id: "nope" })).toEqual({ ok: true, removed: false });
    const v3 = await client.request("cron.add", { ...base, schedule: { kind: "cron", expr: "nope" } }, "v3");
    expect(v3.error).toMatchObject({ code: "INVALID_REQUEST" });
    expect(await client.call("cron.list", { includeDisabled: true })).toEqual({ jobs: [] });
    client.close();
  });

  it("update (flat or {id, patch}), list with and without disabled jobs, remove", async () => {
    const { client } = await connected();
    const job = await client.call("cron.add", { name: "tick", schedule: { kind: "every", everyMs: 600_000 }, payload: { kind: "systemEvent", text: "t" } });
    expect(job.state.nextRunAtMs).toBe(NOW + 600_000);
    const off = await client.call("cron.update", { id: job.id, enabled: false });
    expect(off.enabled).toBe(false);
    expect((await cronEvent(client, job.id, "updated")).payload.jobId).toBe(job.id);
    expect((await client.call("cron.list", {})).jobs).toEqual([]);
    expect((await client.call("cron.list", { includeDisabled: true })).jobs.map((j: Frame) => j.id)).toEqual([job.id]);
    const on = await client.call("cron.update", { id: job.id, patch: { enabled: true, name: "tock", schedule: { kind: "cron", expr: "*/15 * * * *" } } }, "v3");
    // The first run of a new schedule is at or after now: 10:00 itself is on the */15 grid.
    expect(on).toMatchObject({ enabled: true, name: "tock", state: { nextRunAtMs: NOW } });
    expect(errorOf(await client.request("cron.update", { id: job.id, patch: { payload: { kind: "agentTurn", message: "m" } } })).code).toBe(-32602);
    expect(await client.call("cron.status", {})).toMatchObject({ enabled: true, jobs: 1, enabledJobs: 1, runningJobs: 0, nextWakeAtMs: NOW });
    expect(await client.call("cron.remove", { id: job.id })).toEqual({ ok: true, removed: true });
    await cronEvent(client, job.id, "removed");
    client.close();
  });
});

describe("cron jobs: running", () => {
  it("a due systemEvent job runs from the alarm, once, queues its text and records the run", async () => {
    const { client } = await connected("/ws", { framing: "v3" });
    const queuedBefore = await queuedEvents(client);
    const job = await client.call("cron.add", { name: "water", schedule: { kind: "every", everyMs: 600_000 }, payload: { kind: "systemEvent", text: "Drink water" } }, "v3");
    await setClock(NOW + 600_000);
    await fireAlarm();
    const started = await cronEvent(client, job.id, "started");
    expect(started.payload.runAtMs).toBe(NOW + 600_000);
    const finished = await cronEvent(client, job.id, "finished");
    expect(finished.payload).toMatchObject({ status: "ok", runAtMs: NOW + 600_000, durationMs: 0, nextRunAtMs: NOW + 1_200_000 });
    expect(await queuedEvents(client)).toBe(queuedBefore + 1);
    const runs = await runsOf(client, job.id);
    expect(runs).toEqual([expect.objectContaining({ jobId: job.id, trigger: "due", status: "ok", runAtMs: NOW + 600_000 })]);
    const listed = (await client.call("cron.list", {}, "v3")).jobs[0];
    expect(listed.state).toMatchObject({ lastStatus: "ok", lastRunAtMs: NOW + 600_000, nextRunAtMs: NOW + 1_200_000 });
    expect(listed.state.runningAtMs).toBeUndefined();
    // Firing again at the same time does nothing: the due time was consumed.
    await fireAlarm();
    expect((await runsOf(client, job.id)).length).toBe(1);
    client.close();
  });

  it("an agentTurn job runs an isolated turn and posts a one-line summary back to main", async () => {
    const { client } = await connected();
    const queuedBefore = await queuedEvents(client);
    const s = await scenario([{ kind: "reply", steps: [{ text: "Briefing: 3 meetings today.\nDetails follow." }] }]);
    await useScenario(client, "anthropic", s);
    const job = await client.call("cron.add", { name: "Briefing", schedule: { kind: "at", at: "2026-11-25T10:05:00Z" }, payload: { kind: "agentTurn", message: "Generate the daily briefing" } });
    await setClock(at("2026-11-25T10:05:00Z"));
    await fireAlarm();
    const finished = await cronEvent(client, job.id, "finished");
    expect(finished.payload).toMatchObject({ status: "ok", summary: "Briefing: 3 meetings today." });
    expect((await s.state()).requests[0]!.body.messages.at(-1).content[0].text).toBe("Generate the daily briefing");
    const history = await client.call("chat.history", { sessionKey: `agent:main:cron:${job.id}` });
    expect(history.messages.map((m: Frame) => m.role)).toEqual(["user", "assistant"]);
    expect(await queuedEvents(client)).toBe(queuedBefore + 1); // the summary waits for main
    // A one-shot job is switched off after it ran.
    const after = (await client.call("cron.list", { includeDisabled: true })).jobs.find((j: Frame) => j.id === job.id);
    expect(after).toMatchObject({ enabled: false, state: { lastStatus: "ok" } });
    expect(after.state.nextRunAtMs).toBeUndefined();
    client.close();
  });

  it("a one-shot job with deleteAfterRun is deleted after it ran", async () => {
    const { client } = await connected();
    const job = await client.call("cron.add", { name: "once", deleteAfterRun: true, schedule: { kind: "at", at: "10:30" }, payload: { kind: "systemEvent", text: "x" } });
    await setClock(at("2026-11-25T10:30:00Z"));
    await fireAlarm();
    await cronEvent(client, job.id, "finished");
    await cronEvent(client, job.id, "removed");
    expect((await client.call("cron.list", { includeDisabled: true })).jobs.find((j: Frame) => j.id === job.id)).toBeUndefined();
    client.close();
  });

  it("the sweep and the alarm firing together run a job once", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "echo" }]);
    await useScenario(client, "anthropic", s);
    const job = await client.call("cron.add", { name: "both", schedule: { kind: "every", everyMs: 300_000 }, payload: { kind: "agentTurn", message: "ping" } });
    const due = NOW + 300_000;
    await setClock(due);
    await Promise.all([runSweep(due), fireAlarm()]);
    await fireAlarm();
    await runSweep(due);
    await cronEvent(client, job.id, "finished");
    await new Promise((r) => setTimeout(r, 100));
    expect((await runsOf(client, job.id)).length).toBe(1);
    expect((await s.state()).requests.length).toBe(1);
    client.close();
  });

  it("after downtime a job runs once, not once per missed slot, and resumes on its grid", async () => {
    const { client } = await connected();
    const job = await client.call("cron.add", { name: "grid", schedule: { kind: "every", everyMs: 600_000 }, payload: { kind: "systemEvent", text: "g" } });
    await setClock(NOW + 2 * 3_600_000 + 60_000); // 12 slots missed
    await fireAlarm();
    const finished = await cronEvent(client, job.id, "finished");
    expect(finished.payload.nextRunAtMs).toBe(NOW + 2 * 3_600_000 + 600_000);
    await fireAlarm();
    expect((await runsOf(client, job.id)).length).toBe(1);
    client.close();
  });

  it("a cron expression in a zone keeps local time across the DST change", async () => {
    const { client } = await connected();
    await setClock(at("2026-03-27T12:00:00Z"));
    const job = await client.call("cron.add", { name: "dst", schedule: { kind: "cron", expr: "0 6 * * *", tz: "Europe/Berlin" }, payload: { kind: "systemEvent", text: "good morning" } });
    const seen: number[] = [job.state.nextRunAtMs];
    for (let i = 0; i < 3; i++) {
      await setClock(seen.at(-1)!);
      await fireAlarm();
      seen.push((await cronEvent(client, job.id, "finished")).payload.nextRunAtMs);
    }
    expect(seen.map((ms) => new Date(ms).toISOString())).toEqual([
      "2026-03-28T05:00:00.000Z", // 06:00 CET
      "2026-03-29T04:00:00.000Z", // 06:00 CEST, the day the clocks change
      "2026-03-30T04:00:00.000Z",
      "2026-03-31T04:00:00.000Z",
    ]);
    client.close();
  });

  it("cron.run force runs now without moving the schedule; due runs only when due", async () => {
    const { client } = await connected();
    const job = await client.call("cron.add", { name: "manual", schedule: { kind: "every", everyMs: 3_600_000 }, payload: { kind: "systemEvent", text: "m" } });
    expect(await client.call("cron.run", { id: job.id, mode: "due" })).toMatchObject({ ok: true, ran: false, reason: "not due" });
    expect(await client.call("cron.run", { id: job.id, mode: "force" })).toMatchObject({ ok: true, ran: true });
    const finished = await cronEvent(client, job.id, "finished");
    expect(finished.payload.nextRunAtMs).toBe(NOW + 3_600_000);
    expect((await runsOf(client, job.id))[0]).toMatchObject({ trigger: "force", status: "ok" });
    client.close();
  });
});

describe("restarts", () => {
  it("a job run cut off by a restart is closed as an error on the next wake and not run again", async () => {
    const { client } = await connected();
    const s = await scenario([{ kind: "reply", steps: [{ hold: true }, { text: "never" }] }]);
    await useScenario(client, "anthropic", s);
    const job = await client.call("cron.add", { name: "long", schedule: { kind: "every", everyMs: 600_000 }, payload: { kind: "agentTurn", message: "work" } });
    await setClock(NOW + 600_000);
    await fireAlarm();
    await cronEvent(client, job.id, "started");
    await until(s, (st) => st.waitingAtHold === 1);
    await abortAllDurableObjects();
    await client.closed;

    const { client: again } = await connected(); // wakes a new instance, which closes the run
    const listed = (await again.call("cron.list", {})).jobs.find((j: Frame) => j.id === job.id);
    expect(listed.state).toMatchObject({ lastStatus: "error", lastError: "interrupted: the gateway restarted during this run", nextRunAtMs: NOW + 1_200_000 });
    expect(listed.state.runningAtMs).toBeUndefined();
    expect(await runsOf(again, job.id)).toEqual([expect.objectContaining({ status: "error", error: "interrupted: the gateway restarted during this run" })]);
    await fireAlarm(); // nothing due: it is not run again for the same slot
    expect((await s.state()).requests.length).toBe(1);
    again.close();
  });
});
