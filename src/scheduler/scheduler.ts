import type { Database } from "../db/client";
import { wakeupsRepo } from "../db/wakeups-repo";
import { Contemplation } from "./contemplation";
import type { CronEvent, CronJobs } from "./cron-jobs";
import type { SchedulerDeps } from "./deps";
import { ExecutionWorker } from "./execution-worker";
import { Heartbeats } from "./heartbeats";
import { JobRunner } from "./job-runner";
import type { TaskService } from "./tasks";

const NEXT_DUE_KEY = "sched:nextDueAtMs";
const SYNCED_KEY = "sched:syncedWakeAtMs";

export interface SchedulerWiring extends SchedulerDeps {
  db: Database;
  tenantId: () => string;
  jobs: CronJobs;
  tasks: TaskService;
  emitCron: (e: CronEvent) => void;
  /** Wake the Durable Object at this time (tenant clock) or earlier. */
  arm: (atMs: number) => Promise<void>;
}

/**
 * The tenant's scheduled work: cron jobs, heartbeats, the execution worker and contemplation.
 * Its one entry point is `runDue` (from the Durable Object's alarm, which the minute sweep
 * also triggers); everything due is started, and the next due time is written to D1 for the
 * sweep (`tenant_wakeups`) and armed as the alarm. Work in progress is not due again until
 * it has finished, so the alarm never spins on it.
 */
export class Scheduler {
  readonly heartbeats: Heartbeats;
  readonly worker: ExecutionWorker;
  readonly contemplation: Contemplation;
  readonly jobRunner: JobRunner;
  private readonly wakeups: ReturnType<typeof wakeupsRepo>;
  private recovered = false;
  private rescheduling: Promise<number | undefined> | undefined;
  private nextPass: Promise<number | undefined> | undefined;

  constructor(private readonly w: SchedulerWiring) {
    this.heartbeats = new Heartbeats(w);
    this.worker = new ExecutionWorker(w, w.tasks);
    this.contemplation = new Contemplation(w);
    this.jobRunner = new JobRunner(w, w.jobs, this.heartbeats, w.tenantId, w.emitCron);
    this.wakeups = wakeupsRepo(w.db);
  }

  /** What is due next (tenant clock), as last planned. */
  nextDue(): number | undefined {
    return this.w.kv.get<number>(NEXT_DUE_KEY);
  }

  /**
   * On wake: job runs a previous instance started and never finished (eviction, deploy) are
   * closed as errors, once. Cheap when there are none (a storage listing, no D1).
   */
  async recoverInterrupted(): Promise<void> {
    if (this.recovered) return;
    this.recovered = true;
    if (this.jobRunner.mayHaveInterrupted()) {
      await this.jobRunner.closeInterrupted();
      await this.reschedule();
    }
  }

  /** Starts everything that is due and plans the next wake. */
  async runDue(): Promise<void> {
    await this.recoverInterrupted();
    const config = (await this.w.config.load()).resolved;
    const now = this.w.clock.now();
    for (const row of await this.w.jobs.repo.due(this.w.tenantId(), now)) this.track(this.jobRunner.run(row, "due"));
    this.track(this.heartbeats.runDue(config, now));
    this.track(this.worker.runDue(config, now));
    this.track(this.contemplation.runDue(config, now));
    await this.reschedule();
  }

  /** Work started outside runDue (cron.run, wake, runNow) also replans when it ends. */
  track<T>(work: Promise<T>): Promise<T> {
    void work
      .catch((err) => console.error(`scheduled work failed: ${err instanceof Error ? err.name : typeof err}`))
      .finally(() => void this.reschedule());
    return work;
  }

  /**
   * Recomputes the next due time. Calls that arrive while a pass is running share one more
   * pass after it (which sees their changes), so a burst of changes costs two passes.
   */
  reschedule(): Promise<number | undefined> {
    if (!this.rescheduling) {
      this.rescheduling = this.plan().finally(() => (this.rescheduling = undefined));
      return this.rescheduling;
    }
    this.nextPass ??= this.rescheduling
      .catch(() => undefined)
      .then(() => {
        this.nextPass = undefined;
        return this.reschedule();
      });
    return this.nextPass;
  }

  private async plan(): Promise<number | undefined> {
    const tenantId = this.w.tenantId();
    const config = (await this.w.config.load()).resolved;
    const [jobs, heartbeats, worker] = await Promise.all([
      this.w.jobs.repo.nextDue(tenantId),
      this.heartbeats.dueTimes(config),
      this.worker.dueTimes(config),
    ]);
    const times = [jobs, ...heartbeats.values(), ...worker.values(), ...this.contemplation.dueTimes(config).values()];
    const next = times.reduce<number | undefined>((a, t) => (t === undefined ? a : a === undefined ? t : Math.min(a, t)), undefined);
    if (next === undefined) this.w.kv.delete(NEXT_DUE_KEY);
    else this.w.kv.put(NEXT_DUE_KEY, next);
    // D1 is written only when the answer changed: a busy tenant does not write per event.
    if (this.w.kv.get<number>(SYNCED_KEY) !== next) {
      await this.wakeups.set(tenantId, next, this.w.clock.now());
      if (next === undefined) this.w.kv.delete(SYNCED_KEY);
      else this.w.kv.put(SYNCED_KEY, next);
    }
    if (next !== undefined) await this.w.arm(next);
    return next;
  }
}
