// Tasks, the execution worker and contemplation: progress only with recorded evidence,
// blocking after N empty attempts, pause/resume/runNow, reflection turns.
import { beforeEach, describe, expect, it } from "vitest";
import { connected, errorOf, type Frame, type TestClient } from "../support/client";
import { scenario, useScenario, type Reply } from "../support/provider";
import { at, fireAlarm, setClock } from "../support/scheduling";

const NOW = at("2026-11-25T10:00:00Z");
const MIN = 60_000;

beforeEach(async () => {
  await setClock(NOW);
});

async function workerStatus(c: TestClient, agentId = "main") {
  return (await c.call("execution.worker.status", { agentId })).agents[0] as Frame;
}

/** Waits until the worker's cycle for the agent has finished. */
async function cycleDone(c: TestClient, cyclesBefore: number) {
  for (let i = 0; i < 200; i++) {
    const st = await workerStatus(c);
    if (!st.running && st.metrics.cycles > cyclesBefore) return st;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("worker cycle did not finish");
}

const evidenceTurn = (taskId: string, note: string): Reply[] => [
  { kind: "reply", steps: [{ toolCall: { name: "tasks_update", input: { id: taskId, evidence: note } } }] },
  { kind: "reply", steps: [{ text: "Recorded." }] },
];

describe("tasks", () => {
  it("tasks.add / list / update in both framings, evidence appended, unknown ids refused", async () => {
    const { client } = await connected();
    const { task } = await client.call("tasks.add", { title: "File the expense report", priority: "high" });
    expect(task).toMatchObject({ agentId: "main", title: "File the expense report", status: "pending", priority: "high", evidence: [], createdBy: "client:dashboard" });
    const low = (await client.call("tasks.add", { title: "Tidy downloads", priority: "low" }, "v3")).task;
    expect((await client.call("tasks.list", {})).tasks.map((t: Frame) => t.title)).toEqual(["File the expense report", "Tidy downloads"]);
    const updated = (await client.call("tasks.update", { id: task.id, evidence: "Collected receipts", status: "in_progress" }, "v3")).task;
    expect(updated).toMatchObject({ status: "in_progress", evidence: [{ note: "Collected receipts", by: "client:dashboard", atMs: NOW }] });
    expect((await client.call("tasks.list", { status: ["pending"] })).tasks.map((t: Frame) => t.id)).toEqual([low.id]);
    expect(errorOf(await client.request("tasks.update", { id: "nope", status: "done" }))).toMatchObject({ code: -32602, message: expect.stringContaining('unknown task "nope"') });
    expect(errorOf(await client.request("tasks.add", { title: "x", status: "done" })).code).toBe(-32602);
    expect(errorOf(await client.request("tasks.add", { title: "x", agentId: "ghost" })).code).toBe(-32602);
    for (const t of (await client.call("tasks.list", {})).tasks) await client.call("tasks.update", { id: t.id, status: "done" });
    client.close();
  });
});

describe("execution worker", () => {
  it("is off by default; when enabled it is scheduled only while there are open tasks", async () => {
    const { client } = await connected();
    expect(await workerStatus(client)).toMatchObject({ enabled: false, paused: false, running: false, nextDueAtMs: null, metrics: { cycles: 0 } });
    await client.call("config.patch", { patches: [{ path: "agents.defaults.executionWorker.enabled", value: true }, { path: "agents.defaults.executionWorker.every", value: "10m" }] });
    expect((await workerStatus(client)).nextDueAtMs).toBeNull(); // no open tasks
    const { task } = await client.call("tasks.add", { title: "one" });
    expect((await workerStatus(client)).nextDueAtMs).toBe(NOW + 10 * MIN);
    await client.call("tasks.update", { id: task.id, status: "done" });
    expect((await workerStatus(client)).nextDueAtMs).toBeNull();
    client.close();
  });

  it("works the open tasks on its interval; a task progresses only when the turn recorded evidence", async () => {
    const { client } = await connected("/ws", { framing: "v3" });
    await client.call("config.patch", { patches: [{ path: "agents.defaults.executionWorker", value: { enabled: true, every: "10m", maxTasksPerCycle: 1 } }] }, "v3");
    const urgent = (await client.call("tasks.add", { title: "Book flights", priority: "urgent" }, "v3")).task;
    const later = (await client.call("tasks.add", { title: "Plan route", priority: "low" }, "v3")).task;
    const s = await scenario(evidenceTurn(urgent.id, "Compared three fares; booked TAP 10:40"));
    await useScenario(client, "anthropic", s);
    const before = (await client.call("execution.worker.status", {}, "v3")).agents[0].metrics.cycles;

    await setClock(NOW + 10 * MIN);
    await fireAlarm();
    const st = await cycleDone(client, before);
    expect(st).toMatchObject({ lastRunAtMs: NOW + 10 * MIN, lastResult: { attempted: 1, progressed: 1, blocked: 0 }, nextDueAtMs: NOW + 20 * MIN });
    const prompt = (await s.state()).requests[0]!.body.messages.at(-1).content[0].text as string;
    expect(prompt).toContain("Book flights"); // urgent first, one per cycle
    expect(prompt).not.toContain("Plan route");
    const tasks = (await client.call("tasks.list", {}, "v3")).tasks as Frame[];
    expect(tasks.find((t) => t.id === urgent.id)).toMatchObject({ status: "in_progress", noProgressAttempts: 0, evidence: [{ note: "Compared three fares; booked TAP 10:40", by: "agent:main" }] });
    expect(tasks.find((t) => t.id === later.id)).toMatchObject({ status: "pending" });
    const history = await client.call("chat.history", { sessionKey: "agent:main:worker" }, "v3");
    expect(history.messages.length).toBe(2);
    for (const t of tasks) await client.call("tasks.update", { id: t.id, status: "done" }, "v3");
    client.close();
  });

  it("blocks a task after maxNoProgressAttempts attempts without evidence, with the reason", async () => {
    const { client } = await connected();
    await client.call("config.patch", { patches: [{ path: "agents.defaults.executionWorker", value: { enabled: true, every: "10m", maxNoProgressAttempts: 2 } }] });
    const { task } = await client.call("tasks.add", { title: "Impossible thing" });
    await useScenario(client, "anthropic", await scenario([{ kind: "reply", steps: [{ text: "I thought about it." }] }]));
    for (const attempt of [1, 2]) {
      const { metrics, nextDueAtMs } = await workerStatus(client);
      await setClock(nextDueAtMs);
      await fireAlarm();
      const before = metrics.cycles;
      const st = await cycleDone(client, before);
      expect(st.lastResult).toMatchObject({ attempted: 1, progressed: 0, blocked: attempt === 2 ? 1 : 0 });
    }
    const blocked = (await client.call("tasks.list", {})).tasks.find((x: Frame) => x.id === task.id);
    expect(blocked).toMatchObject({ status: "blocked", noProgressAttempts: 2, blockedReason: "no progress recorded after 2 worker attempts" });
    expect((await workerStatus(client)).nextDueAtMs).toBeNull(); // nothing open any more
    expect((await workerStatus(client)).metrics).toMatchObject({ tasksBlocked: 1 });
    client.close();
  });

  it("pause stops the schedule, resume restarts it, runNow runs a cycle at once", async () => {
    const { client } = await connected();
    await client.call("config.patch", { patches: [{ path: "agents.defaults.executionWorker", value: { enabled: true, every: "10m" } }] });
    const { task } = await client.call("tasks.add", { title: "Reply to Sam" });
    const paused = await client.call("execution.worker.pause", {});
    expect(paused.agents[0]).toMatchObject({ paused: true, nextDueAtMs: null });
    const lastRun = paused.agents[0].lastRunAtMs;
    await setClock(NOW + 600 * MIN);
    await fireAlarm();
    expect((await workerStatus(client)).lastRunAtMs).toBe(lastRun); // no cycle while paused
    await setClock(NOW); // resumed, the next cycle is due on its interval, not at once
    expect((await client.call("execution.worker.resume", { agentId: "main" })).agents[0]).toMatchObject({ paused: false, nextDueAtMs: expect.any(Number) });

    const s = await scenario(evidenceTurn(task.id, "Drafted the reply"));
    await useScenario(client, "anthropic", s);
    const before = (await workerStatus(client)).metrics.cycles;
    expect(await client.call("execution.worker.runNow", {})).toMatchObject({ ok: true, started: ["main"] });
    const st = await cycleDone(client, before);
    expect(st.lastResult).toMatchObject({ progressed: 1 });
    await client.call("tasks.update", { id: task.id, status: "done" });
    client.close();
  });
});

describe("contemplation", () => {
  it("is scheduled every contemplation.every when enabled; runOnce runs a reflection turn that may write memory", async () => {
    const { client } = await connected();
    expect((await client.call("cron.status", {})).nextWakeAtMs).toBeNull();
    await client.call("config.set", { path: "agents.defaults.contemplation.enabled", value: true });
    expect((await client.call("cron.status", {})).nextWakeAtMs).toBe(NOW + 120 * MIN);
    const s = await scenario([
      { kind: "reply", steps: [{ toolCall: { name: "memory_append", input: { text: "Dana prefers morning meetings." } } }] },
      { kind: "reply", steps: [{ text: "Saved one insight about Dana." }] },
    ]);
    await useScenario(client, "anthropic", s);
    const result = await client.call("contemplation.runOnce", {});
    expect(result).toMatchObject({ agentId: "main", status: "ok", summary: "Saved one insight about Dana.", runId: expect.any(String) });
    expect((await client.call("agents.files.get", { agentId: "main", filename: "MEMORY.md" })).file.content).toContain("Dana prefers morning meetings.");
    expect((await client.call("cron.status", {})).nextWakeAtMs).toBe(NOW + 120 * MIN); // counted from this run
    // On schedule: the alarm at the due time runs it in its own session.
    await useScenario(client, "anthropic", await scenario([{ kind: "reply", steps: [{ text: "Nothing new." }] }]));
    await setClock(NOW + 120 * MIN);
    await fireAlarm();
    const done = await client.next((f) => f.event === "chat" && f.payload.sessionKey === "agent:main:contemplation" && f.payload.state === "final" && f.payload.message.content[0].text === "Nothing new.");
    expect(done).toBeDefined();
    await client.call("config.set", { path: "agents.defaults.contemplation.enabled", value: false });
    client.close();
  });
});
