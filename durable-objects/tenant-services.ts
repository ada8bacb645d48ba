import { AgentFiles } from "../src/agent/agent-files";
import { RunManager } from "../src/agent/run-manager";
import { SessionStore } from "../src/agent/session-store";
import { toolRegistry } from "../src/agent/tools";
import { SecretBox } from "../src/config/secret-box";
import { ConfigStore, type ConfigSnapshot } from "../src/config/store";
import type { Database } from "../src/db/client";
import { configRepo } from "../src/db/config-repo";
import type { Env } from "../src/env";
import type { Clock } from "../src/scheduler/clock";
import { CronJobs } from "../src/scheduler/cron-jobs";
import { Scheduler } from "../src/scheduler/scheduler";
import { TaskService } from "../src/scheduler/tasks";

/** What the tenant's services need from their Durable Object. */
export interface TenantHost {
  kv: SyncKvStorage;
  env: Env;
  db: Database;
  clock: Clock;
  tenantId(): string;
  broadcast(event: string, payload: unknown): void;
  onConfigChange(next: ConfigSnapshot): void;
  /** Wake the Durable Object at this tenant-clock time or earlier. */
  armAt(tenantMs: number): Promise<void>;
}

/**
 * The tenant's services, built on first use and wired to each other: config, alignment
 * files, sessions, runs, cron jobs, tasks and the scheduler. One per Durable Object instance.
 */
export class TenantServices {
  private configStore?: ConfigStore;
  private agentFiles?: AgentFiles;
  private sessionStore?: SessionStore;
  private runManager?: RunManager;
  private cronJobs?: CronJobs;
  private taskService?: TaskService;
  private schedulerInstance?: Scheduler;

  constructor(private readonly host: TenantHost) {}

  get config(): ConfigStore {
    const h = this.host;
    this.configStore ??= new ConfigStore(h.tenantId(), configRepo(h.db), new SecretBox(h.env.CONFIG_ENCRYPTION_KEY), (next) => {
      h.onConfigChange(next);
      void this.scheduler.reschedule(); // heartbeat intervals, the worker and contemplation live in config
    });
    return this.configStore;
  }

  get files(): AgentFiles {
    // HEARTBEAT.md decides whether heartbeats are scheduled at all.
    this.agentFiles ??= new AgentFiles(this.host.db, this.host.tenantId(), (name) => {
      if (name === "HEARTBEAT.md") void this.scheduler.reschedule();
    });
    return this.agentFiles;
  }

  get sessions(): SessionStore {
    this.sessionStore ??= new SessionStore(this.host.db, this.host.tenantId());
    return this.sessionStore;
  }

  get runs(): RunManager {
    const h = this.host;
    this.runManager ??= new RunManager({
      kv: h.kv,
      env: h.env,
      config: this.config,
      files: this.files,
      sessions: this.sessions,
      tools: toolRegistry,
      toolServices: () => ({ cron: this.cron, tasks: this.tasks }),
      tenantId: () => h.tenantId(),
      broadcast: (event, payload) => h.broadcast(event, payload),
    });
    return this.runManager;
  }

  get cron(): CronJobs {
    const h = this.host;
    this.cronJobs ??= new CronJobs(
      h.db,
      () => h.tenantId(),
      this.config,
      h.clock,
      (e) => h.broadcast("cron", e),
      () => this.scheduler.reschedule(),
    );
    return this.cronJobs;
  }

  get tasks(): TaskService {
    const h = this.host;
    this.taskService ??= new TaskService(h.db, () => h.tenantId(), h.clock, () => this.scheduler.reschedule());
    return this.taskService;
  }

  get scheduler(): Scheduler {
    const h = this.host;
    this.schedulerInstance ??= new Scheduler({
      kv: h.kv,
      clock: h.clock,
      config: this.config,
      files: this.files,
      runs: this.runs,
      broadcast: (event, payload) => h.broadcast(event, payload),
      db: h.db,
      tenantId: () => h.tenantId(),
      jobs: this.cron,
      tasks: this.tasks,
      emitCron: (e) => h.broadcast("cron", e),
      arm: (atMs) => h.armAt(atMs),
    });
    return this.schedulerInstance;
  }
}
