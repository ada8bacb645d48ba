import { resolveSessionKey } from "../agent/session-keys";
import type { CronJobRow } from "../db/cron-repo";
import { ErrorKind, GatewayError } from "../protocol/errors";
import { jobTimezone, jobView, type CronEvent, type CronJobs } from "./cron-jobs";
import type { SchedulerDeps } from "./deps";
import type { Heartbeats } from "./heartbeats";
import { nextRunAfter } from "./schedule";

/** agentTurn jobs without their own timeout end after this long. */
export const DEFAULT_JOB_TIMEOUT_MS = 10 * 60 * 1000;
export const INTERRUPTED_JOB = "interrupted: the gateway restarted during this run";

export type JobTrigger = "due" | "force";
const RUNNING_PREFIX = "jobRunning:";

interface JobResult {
  status: "ok" | "error" | "skipped";
  error?: string;
  summary?: string;
  sessionKey?: string;
}

/**
 * Runs cron jobs: claims a run (once per due time, however many wake-ups ask), executes its
 * payload, records the outcome and announces `cron` started/finished.
 */
export class JobRunner {
  /** Jobs this instance is running: any other job marked running was cut off by a restart. */
  private readonly running = new Set<string>();

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly jobs: CronJobs,
    private readonly heartbeats: Heartbeats,
    private readonly tenantId: () => string,
    private readonly emit: (e: CronEvent) => void,
  ) {}

  /** Whether a previous instance may have left a run unfinished (a cheap check, no D1). */
  mayHaveInterrupted(): boolean {
    for (const [key] of this.deps.kv.list({ prefix: RUNNING_PREFIX })) if (!this.running.has(key.slice(RUNNING_PREFIX.length))) return true;
    return false;
  }

  /** Closes runs that a previous instance started and never finished: recorded as errors, not re-run. */
  async closeInterrupted(): Promise<number> {
    let closed = 0;
    for (const row of await this.jobs.repo.running(this.tenantId())) {
      if (this.running.has(row.id)) continue;
      await this.complete(row, row.runningAtMs!, "due", { status: "error", error: INTERRUPTED_JOB });
      this.deps.kv.delete(RUNNING_PREFIX + row.id);
      closed++;
    }
    for (const [key] of this.deps.kv.list({ prefix: RUNNING_PREFIX })) if (!this.running.has(key.slice(RUNNING_PREFIX.length))) this.deps.kv.delete(key);
    return closed;
  }

  /** Claims and runs `row`; false when it was not claimed (already run for this due time, or running). */
  async run(row: CronJobRow, trigger: JobTrigger): Promise<boolean> {
    const config = (await this.deps.config.load()).resolved;
    const now = this.deps.clock.now();
    const job = jobView(row);
    const oneShot = job.schedule.kind === "at";
    // After a due run the next one is computed from now: missed slots collapse into this run.
    const next =
      trigger === "force" ? row.nextRunAtMs : oneShot ? null : (nextRunAfter(job.schedule, now, { timezone: jobTimezone(config), createdAtMs: row.createdAtMs }) ?? null);
    if (!(await this.jobs.repo.claim(this.tenantId(), row.id, row.nextRunAtMs, now, next))) return false;
    this.running.add(row.id);
    this.deps.kv.put(RUNNING_PREFIX + row.id, now); // so a restarted instance knows to look
    try {
      this.emit({ jobId: row.id, action: "started", runAtMs: now });
      const result = await this.execute(job);
      await this.complete({ ...row, nextRunAtMs: next }, now, trigger, result);
    } finally {
      this.running.delete(row.id);
      this.deps.kv.delete(RUNNING_PREFIX + row.id);
    }
    return true;
  }

  private async execute(job: ReturnType<typeof jobView>): Promise<JobResult> {
    if (job.payload.kind === "systemEvent") {
      this.heartbeats.enqueue(job.agentId, job.payload.text, `cron:${job.name}`);
      if (job.wakeMode === "now") await this.heartbeats.run(job.agentId, `cron:${job.name}`);
      return { status: "ok", sessionKey: resolveSessionKey("main", job.agentId).key };
    }
    const sessionKey = resolveSessionKey(`cron:${job.id}`, job.agentId).key;
    let record;
    try {
      record = await this.deps.runs.runTurn({
        kind: "cron",
        method: "cron",
        sessionKey,
        agentId: job.agentId,
        message: job.payload.message,
        images: [],
        ...(job.payload.model ? { model: job.payload.model } : {}),
        ...(job.payload.thinking ? { thinking: job.payload.thinking } : {}),
        timeoutMs: job.payload.timeoutSeconds ? job.payload.timeoutSeconds * 1000 : DEFAULT_JOB_TIMEOUT_MS,
      });
    } catch (err) {
      // Busy (the previous run of this job still going) or a model that cannot be called.
      const message = err instanceof GatewayError ? err.message : "internal error";
      return { status: err instanceof GatewayError && err.code === ErrorKind.AgentBusy ? "skipped" : "error", error: message, sessionKey };
    }
    const summary = firstLine(record.status === "ok" ? (record.summary ?? "") : (record.error ?? record.status));
    if (job.delivery?.mode !== "none") {
      // The one-line outcome goes back to the agent's main session as a system event.
      this.heartbeats.enqueue(job.agentId, `Cron job "${job.name}" ${record.status === "ok" ? "finished" : "failed"}: ${summary}`, `cron:${job.name}`);
      if (job.wakeMode === "now") await this.heartbeats.run(job.agentId, `cron:${job.name}`);
    }
    return record.status === "ok" ? { status: "ok", summary, sessionKey } : { status: "error", error: summary, sessionKey };
  }

  private async complete(row: CronJobRow, runAtMs: number, trigger: JobTrigger, result: JobResult): Promise<void> {
    const now = this.deps.clock.now();
    const durationMs = Math.max(0, now - runAtMs);
    const tenantId = this.tenantId();
    const oneShotDone = JSON.parse(row.schedule).kind === "at" && trigger === "due";
    await this.jobs.repo.addRun({
      tenantId,
      id: crypto.randomUUID(),
      jobId: row.id,
      trigger,
      status: result.status,
      error: result.error ?? null,
      summary: result.summary ?? null,
      sessionKey: result.sessionKey ?? null,
      runAtMs,
      durationMs,
    });
    if (oneShotDone && row.deleteAfterRun) {
      await this.jobs.repo.remove(tenantId, row.id);
    } else {
      await this.jobs.repo.update(tenantId, row.id, {
        runningAtMs: null,
        lastRunAtMs: runAtMs,
        lastStatus: result.status,
        lastError: result.error ?? null,
        lastDurationMs: durationMs,
        updatedAtMs: now,
        // A one-shot job that ran is switched off (or was deleted above).
        ...(oneShotDone ? { enabled: false, nextRunAtMs: null } : {}),
      });
    }
    this.emit({
      jobId: row.id,
      action: "finished",
      runAtMs,
      durationMs,
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
      ...(result.summary ? { summary: result.summary } : {}),
      ...(row.nextRunAtMs !== null && !oneShotDone ? { nextRunAtMs: row.nextRunAtMs } : {}),
    });
    if (oneShotDone && row.deleteAfterRun) this.emit({ jobId: row.id, action: "removed" });
  }
}

const firstLine = (text: string) => (text.split("\n").find((l) => l.trim() !== "") ?? "").trim().slice(0, 300);
