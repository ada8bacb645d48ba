// End to end: the scheduler over the real `npm run dev` (wrangler dev --test-scheduled), with the
// fake model provider in this process and two dashboards connected (one per framing). Jobs are
// added with cron.add; the wall clock is real, so they are due a few seconds from now. The
// Worker's Cron Trigger is fired with GET /__scheduled (the sweep that wakes due tenants), over
// and over from the add until just after the due time; the tenant's own alarm fires at the due
// time too, and the job must still run exactly once (one model call, one run record).
//
// Note: wrangler's /__scheduled only reads `cron` from the query (the scheduled time is always
// Date.now(); a `time` parameter is ignored; only Miniflare's /cdn-cgi/local/scheduled reads it),
// so "a sweep at/after the due time" means calling it once the due time has passed.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrlFor, type Scenario } from "../fakes/model-provider.ts";
import { configureProvider, isEvent, until, waitFrame, waitScenario, type Frame } from "./helpers/chat";
import type { GatewayClient, Framing } from "./helpers/gateway-client";
import { DashboardStack, FRAMINGS } from "./helpers/stack";

const stack = new DashboardStack();
const rand = () => randomBytes(4).toString("hex");
const ANTHROPIC_KEY = `sk-ant-e2e-${randomBytes(16).toString("hex")}`;
/** How far ahead jobs are scheduled: enough for cron.add to answer, short enough to wait for. */
const LEAD_MS = 3_000;
/** A due job must have started and finished by then (the first wake may include the bundle warm-up). */
const RUN_TIMEOUT_MS = 45_000;


/** What the agentTurn test delivered to the main session (read back by the heartbeat test). */
let agentTurnDelivery: string | undefined;
/** The systemEvent job, removed by the last test. */
let everyJobId: string | undefined;

const liveServer = () => stack.server;
const liveFake = () => stack.fake;
const client = (framing: Framing) => stack.client(framing);
const both = () => FRAMINGS.map(client);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Registers a scenario with the fake and points anthropic (the default model's provider) at it. */
async function useScenario(s: Scenario): Promise<string> {
  const id = liveFake().addScenario(s);
  await configureProvider(client("jsonrpc"), "anthropic", baseUrlFor(liveFake().url, id));
  return id;
}

/** GET /__scheduled: the Worker's scheduled() handler, i.e. the minute sweep of due tenants. */
async function fireCronTrigger(): Promise<{ status: number; text: string }> {
  const res = await fetch(`${liveServer().httpUrl}/__scheduled?cron=${encodeURIComponent("* * * * *")}`, { signal: AbortSignal.timeout(30_000) });
  return { status: res.status, text: await res.text() };
}

/**
 * Fires the Cron Trigger every `everyMs` until `untilMs` has passed (real time), so sweeps land
 * before, at and just after the due time, racing the tenant's own alarm. Returns the answers.
 */
async function sweepThrough(untilMs: number, everyMs = 250): Promise<{ status: number; text: string }[]> {
  const answers: { status: number; text: string }[] = [];
  do {
    answers.push(await fireCronTrigger());
    await sleep(everyMs);
  } while (Date.now() <= untilMs);
  answers.push(await fireCronTrigger());
  return answers;
}

/** How many sweeps found a due tenant and woke it, per the Worker's log. */
const sweepsThatWoke = () => liveServer().output().split("\n").filter((l) => /sweep: 1\/1 tenants woken, 0 failed/.test(l)).length;

/** Waits (real time) until `atMs` has passed. */
async function waitUntil(atMs: number): Promise<void> {
  const wait = atMs - Date.now();
  if (wait > 0) await sleep(wait + 50);
}

const isCron = (jobId: string, action?: string) => (f: Frame) =>
  isEvent("cron")(f) && f.payload?.jobId === jobId && (action === undefined || f.payload.action === action);
const cronEvents = (c: GatewayClient, jobId: string): Frame[] => c.frames.filter(isCron(jobId));
const isSessionEvent = (sessionKey: string) => (f: Frame) =>
  (isEvent("agent")(f) || isEvent("chat")(f)) && f.payload?.sessionKey === sessionKey;
const isHeartbeat = (status?: string) => (f: Frame) => isEvent("heartbeat")(f) && (status === undefined || f.payload?.status === status);

/** The text of the last user message a provider request carried. */
function lastUserText(body: any): string {
  const user = [...(body.messages as any[])].reverse().find((m) => m.role === "user");
  if (!user) return "";
  if (typeof user.content === "string") return user.content;
  return (user.content as any[]).filter((p) => p.type === "text").map((p) => p.text).join("");
}

beforeAll(async () => {
  await stack.start();
  // The user's setup: a key for the default model's provider (the base URL moves per test).
  const initial = liveFake().addScenario({ replies: [{ kind: "echo" }] });
  await configureProvider(client("jsonrpc"), "anthropic", baseUrlFor(liveFake().url, initial), ANTHROPIC_KEY);
});

afterAll(() => stack.stop());

describe("scheduler over npm run dev", () => {
  it("an agentTurn job due in a few seconds runs once (sweep + alarm), cron and run events reach both dashboards", { timeout: 120_000 }, async () => {
    const reply = "Backup report: all 3 volumes verified.\nDetails: nothing else needs attention.";
    const summary = "Backup report: all 3 volumes verified.";
    const message = `Check the nightly backups (${rand()})`;
    const sid = await useScenario({ replies: [{ kind: "reply", steps: [{ text: reply, chunkSize: 9 }], usage: { input: 30, output: 12 } }] });
    const name = `e2e backup check ${rand()}`;
    const dueAt = Date.now() + LEAD_MS;
    const at = new Date(dueAt).toISOString();

    const job = await client("jsonrpc").call("cron.add", { name, schedule: { kind: "at", at }, payload: { kind: "agentTurn", message } });
    expect(job).toMatchObject({
      id: expect.any(String),
      agentId: "main",
      name,
      enabled: true,
      deleteAfterRun: false,
      schedule: { kind: "at", at, atMs: dueAt },
      sessionTarget: "isolated",
      wakeMode: "next-heartbeat",
      payload: { kind: "agentTurn", message },
      state: { nextRunAtMs: dueAt },
    });
    const jobId: string = job.id;
    const sessionKey = `agent:main:cron:${jobId}`;
    for (const c of both()) {
      const added = await waitFrame(c, isCron(jobId, "added"), `cron added (${c.framing})`);
      expect(added).toMatchObject({ type: "event", event: "cron", seq: expect.any(Number), payload: { jobId, action: "added", nextRunAtMs: dueAt } });
    }

    // The Cron Trigger, fired repeatedly from now until just after the due time: the sweeps
    // before it find the tenant due within the minute and wake it, the ones at/after it race
    // the tenant's alarm. Every one answers OK.
    const wokeBefore = sweepsThatWoke();
    const answers = await sweepThrough(dueAt + 500);
    expect(answers.length).toBeGreaterThanOrEqual(3);
    for (const a of answers) expect(a).toEqual({ status: 200, text: "Ran scheduled event" });
    await until(() => sweepsThatWoke() > wokeBefore, "a sweep that found the due tenant (Worker log: sweep: 1/1 tenants woken)", 10_000);

    for (const c of both()) {
      const finished = await waitFrame(c, isCron(jobId, "finished"), `cron finished (${c.framing})`, RUN_TIMEOUT_MS);
      const started = c.frames.find(isCron(jobId, "started"));
      expect(started).toMatchObject({ type: "event", event: "cron", payload: { jobId, action: "started", runAtMs: expect.any(Number) } });
      expect(started.payload.runAtMs).toBeGreaterThanOrEqual(dueAt);
      expect(finished.payload).toEqual({ jobId, action: "finished", runAtMs: started.payload.runAtMs, durationMs: expect.any(Number), status: "ok", summary });
      // one-shot: nothing comes after this run
      expect(finished.payload.nextRunAtMs).toBeUndefined();
      expect(cronEvents(c, jobId).map((e) => e.payload.action)).toEqual(["added", "started", "finished"]);
      expect(started.seq).toBeGreaterThan(c.frames.find(isCron(jobId, "added")).seq);
      expect(finished.seq).toBeGreaterThan(started.seq);

      // The run itself: agent and chat events of the isolated session, between started and finished.
      const runFrames = c.frames.filter(isSessionEvent(sessionKey));
      expect(runFrames.length).toBeGreaterThanOrEqual(3);
      const runId: string = runFrames[0].payload.runId;
      expect(typeof runId).toBe("string");
      for (const f of runFrames) {
        expect(f.payload.runId).toBe(runId);
        expect(f.seq).toBeGreaterThan(started.seq);
        expect(f.seq).toBeLessThan(finished.seq);
      }
      const agent = runFrames.filter(isEvent("agent"));
      expect(agent.map((e) => e.payload.seq)).toEqual(agent.map((_, i) => i + 1));
      expect(agent[0].payload).toMatchObject({ stream: "lifecycle", data: { phase: "start" } });
      expect(agent.at(-1).payload).toMatchObject({ stream: "lifecycle", data: { phase: "end", usage: { input: 30, output: 12 } } });
      const deltas = agent.filter((e) => e.payload.stream === "assistant");
      expect(deltas.map((e) => e.payload.data.delta).join("")).toBe(reply);
      const chats = runFrames.filter(isEvent("chat"));
      expect(chats.filter((e) => e.payload.state !== "delta").map((e) => e.payload.state)).toEqual(["final"]);
      expect(chats.at(-1).payload).toMatchObject({ state: "final", message: { role: "assistant", content: [{ type: "text", text: reply }] }, usage: { input: 30, output: 12 } });
    }
    // both dashboards saw the same run, with the same tenant seq
    const [a, b] = both().map((c) => c.frames.filter((f: Frame) => isSessionEvent(sessionKey)(f) || isCron(jobId)(f)));
    expect(b).toEqual(a);

    // The provider was called once, with the job's message.
    const st = await waitScenario(liveFake(), sid, (s) => s.completed >= 1, "the job's model call completed");
    expect(st.requests.length).toBe(1);
    expect(st.requests[0]!.headers["x-api-key"]).toBe(ANTHROPIC_KEY);
    expect(lastUserText(st.requests[0]!.body)).toBe(message);

    // A second sweep after the run: the job is done, nothing runs again.
    expect(await fireCronTrigger()).toEqual({ status: 200, text: "Ran scheduled event" });
    await sleep(2_000);
    expect(liveFake().scenario(sid)!.requests.length).toBe(1);
    for (const c of both()) expect(cronEvents(c, jobId).map((e) => e.payload.action)).toEqual(["added", "started", "finished"]);

    const finished = client("v3").frames.find(isCron(jobId, "finished"));
    const runs = await client("v3").call("cron.runs", { id: jobId });
    expect(runs.entries).toEqual([
      {
        id: expect.any(String),
        jobId,
        trigger: "due",
        status: "ok",
        summary,
        sessionKey,
        runAtMs: finished.payload.runAtMs,
        durationMs: finished.payload.durationMs,
      },
    ]);

    // The one-shot job is switched off, not deleted.
    const all = await client("jsonrpc").call("cron.list", { includeDisabled: true });
    const listed = all.jobs.find((j: any) => j.id === jobId);
    expect(listed).toMatchObject({ id: jobId, enabled: false, state: { lastRunAtMs: finished.payload.runAtMs, lastStatus: "ok", lastDurationMs: finished.payload.durationMs } });
    expect(listed.state.nextRunAtMs).toBeUndefined();
    expect(listed.state.runningAtMs).toBeUndefined();
    const enabledOnly = await client("jsonrpc").call("cron.list", {});
    expect(enabledOnly.jobs.map((j: any) => j.id)).not.toContain(jobId);

    // The isolated session holds the turn.
    const history = await client("jsonrpc").call("chat.history", { sessionKey });
    expect(history.sessionKey).toBe(sessionKey);
    expect(history.messages.map((m: any) => m.role)).toEqual(["user", "assistant"]);
    expect(history.messages[0].content).toEqual([{ type: "text", text: message }]);
    expect(history.messages[1].content).toEqual([{ type: "text", text: reply }]);

    agentTurnDelivery = `Cron job "${name}" finished: ${summary}`;
  });

  it("a systemEvent job with wakeMode now runs a heartbeat that reads the event", { timeout: 120_000 }, async () => {
    const text = `Backup of volume ${rand()} finished at 02:00`;
    const answer = "Noted: backup finished";
    const sid = await useScenario({ replies: [{ kind: "reply", steps: [{ text: answer }], usage: { input: 50, output: 5 } }] });
    const name = `e2e backup event ${rand()}`;
    const everyMs = 3_600_000;
    // Anchored a few seconds ahead: the first run is then, the next an hour later.
    const anchorMs = Date.now() + LEAD_MS;
    const heartbeatsBefore = both().map((c) => c.frames.filter(isHeartbeat()).length);

    const job = await client("v3").call("cron.add", {
      name,
      schedule: { kind: "every", everyMs, anchorMs },
      payload: { kind: "systemEvent", text },
      wakeMode: "now",
    });
    expect(job).toMatchObject({
      id: expect.any(String),
      name,
      enabled: true,
      schedule: { kind: "every", everyMs, anchorMs },
      sessionTarget: "main",
      wakeMode: "now",
      payload: { kind: "systemEvent", text },
      state: { nextRunAtMs: anchorMs },
    });
    const jobId: string = job.id;
    everyJobId = jobId;
    for (const c of both()) await waitFrame(c, isCron(jobId, "added"), `cron added (${c.framing})`);

    await waitUntil(anchorMs);
    expect(await fireCronTrigger()).toEqual({ status: 200, text: "Ran scheduled event" });

    for (const [i, c] of both().entries()) {
      const finished = await waitFrame(c, isCron(jobId, "finished"), `cron finished (${c.framing})`, RUN_TIMEOUT_MS);
      expect(finished.payload).toEqual({ jobId, action: "finished", runAtMs: expect.any(Number), durationMs: expect.any(Number), status: "ok", nextRunAtMs: anchorMs + everyMs });
      expect(cronEvents(c, jobId).map((e) => e.payload.action)).toEqual(["added", "started", "finished"]);
      const started = c.frames.find(isCron(jobId, "started"));
      expect(started.payload.runAtMs).toBeGreaterThanOrEqual(anchorMs);

      // The heartbeat ran inside the job (wakeMode now): its event comes before `finished`.
      const beats = c.frames.filter(isHeartbeat()).slice(heartbeatsBefore[i]);
      expect(beats).toHaveLength(1);
      expect(beats[0]).toMatchObject({ type: "event", event: "heartbeat", seq: expect.any(Number) });
      expect(beats[0].payload).toEqual({ ts: expect.any(Number), agentId: "main", status: "sent", preview: answer, durationMs: expect.any(Number), reason: `cron:${name}` });
      expect(beats[0].seq).toBeGreaterThan(started.seq);
      expect(beats[0].seq).toBeLessThan(finished.seq);

      // A delivered heartbeat is announced once, complete, in the main session.
      const mainFinal = c.frames.find(
        (f: Frame) => isEvent("chat")(f) && f.payload.sessionKey === "agent:main:main" && f.payload.state === "final" && f.seq > started.seq,
      );
      expect(mainFinal?.payload).toMatchObject({ state: "final", message: { role: "assistant", content: [{ type: "text", text: answer }] } });
    }

    // The heartbeat's model call read the queued events: this job's text (and the summary the
    // agentTurn job above delivered to the main session).
    const st = await waitScenario(liveFake(), sid, (s) => s.completed >= 1, "the heartbeat's model call completed");
    expect(st.requests.length).toBe(1);
    const prompt = lastUserText(st.requests[0]!.body);
    expect(prompt).toContain("[Heartbeat");
    expect(prompt).toContain(`(cron:${name}): ${text}`);
    if (agentTurnDelivery) expect(prompt).toContain(agentTurnDelivery);

    // Another sweep: the next run is an hour away, nothing more happens.
    expect(await fireCronTrigger()).toEqual({ status: 200, text: "Ran scheduled event" });
    await sleep(1_500);
    expect(liveFake().scenario(sid)!.requests.length).toBe(1);

    const runs = await client("jsonrpc").call("cron.runs", { id: jobId });
    expect(runs.entries).toEqual([
      { id: expect.any(String), jobId, trigger: "due", status: "ok", sessionKey: "agent:main:main", runAtMs: expect.any(Number), durationMs: expect.any(Number) },
    ]);
    const listed = (await client("jsonrpc").call("cron.list", {})).jobs.find((j: any) => j.id === jobId);
    expect(listed).toMatchObject({ enabled: true, state: { nextRunAtMs: anchorMs + everyMs, lastStatus: "ok" } });

    const last = await client("v3").call("last-heartbeat", { agentId: "main" });
    expect(last).toMatchObject({ agentId: "main", status: "sent", preview: answer, reason: `cron:${name}` });
  });

  it("cron.remove announces removed; an invalid cron expression is Invalid Params in both framings", { timeout: 60_000 }, async () => {
    if (!everyJobId) {
      const added = await client("jsonrpc").call("cron.add", {
        name: `e2e to remove ${rand()}`,
        schedule: { kind: "every", everyMs: 3_600_000 },
        payload: { kind: "systemEvent", text: "never runs" },
      });
      everyJobId = added.id as string;
    }
    const jobId = everyJobId;
    expect(await client("jsonrpc").call("cron.remove", { id: jobId })).toEqual({ ok: true, removed: true });
    for (const c of both()) {
      const removed = await waitFrame(c, isCron(jobId, "removed"), `cron removed (${c.framing})`);
      expect(removed).toMatchObject({ type: "event", event: "cron", seq: expect.any(Number), payload: { jobId, action: "removed" } });
    }
    const all = await client("v3").call("cron.list", { includeDisabled: true });
    expect(all.jobs.map((j: any) => j.id)).not.toContain(jobId);
    // Removing it again: nothing removed, no second event.
    expect(await client("v3").call("cron.remove", { id: jobId })).toEqual({ ok: true, removed: false });

    const cronCountBefore = both().map((c) => c.frames.filter(isEvent("cron")).length);
    const bad = { name: "e2e bad cron", schedule: { kind: "cron", expr: "61 * * * *" }, payload: { kind: "systemEvent", text: "never" } };
    const rpc = await client("jsonrpc").request("cron.add", bad);
    expect(rpc.result).toBeUndefined();
    expect(rpc.error).toMatchObject({ code: -32602, message: expect.stringContaining("invalid cron.add params") });
    expect(rpc.error.message).toContain("invalid cron expression");
    const v3 = await client("v3").request("cron.add", bad);
    expect(v3).toMatchObject({ type: "res", ok: false, error: { code: "INVALID_REQUEST", message: rpc.error.message } });
    // a wrong field count is refused too
    const short = await client("v3").request("cron.add", { ...bad, schedule: { kind: "cron", expr: "* * *" } });
    expect(short).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST", message: expect.stringContaining("expected 5 fields") } });

    // Nothing was added: no cron event (a following ping makes sure any would have arrived).
    for (const c of both()) await c.call("cron.status", {});
    await sleep(300);
    expect(both().map((c) => c.frames.filter(isEvent("cron")).length)).toEqual(cronCountBefore);
    const after = await client("jsonrpc").call("cron.list", { includeDisabled: true });
    expect(after.jobs.map((j: any) => j.name)).not.toContain("e2e bad cron");
  });
});
