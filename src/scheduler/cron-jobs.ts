import { z } from "zod";
import { listAgents } from "../agent/agents";
import { ThinkingLevel, type Config } from "../config/schema";
import type { ConfigStore } from "../config/store";
import type { Database } from "../db/client";
import { cronRepo, type CronJobRow, type CronRunRow } from "../db/cron-repo";
import { invalidParams } from "../protocol/errors";
import type { Clock } from "./clock";
import { ScheduleError, ScheduleSchema, firstRun, normalizeSchedule, type Schedule } from "./schedule";

const SystemEventPayload = z.strictObject({ kind: z.literal("systemEvent"), text: z.string().min(1).max(20_000) });
const AgentTurnPayload = z.strictObject({
  kind: z.literal("agentTurn"),
  message: z.string().min(1).max(50_000),
  model: z.string().min(3).max(200).optional(),
  thinking: ThinkingLevel.optional(),
  timeoutSeconds: z.int().min(10).max(3600).optional(),
});
export const JobPayload = z.discriminatedUnion("kind", [SystemEventPayload, AgentTurnPayload]);
export const JobDelivery = z.strictObject({
  mode: z.enum(["none", "announce"]),
  channel: z.string().max(64).optional(),
  to: z.string().max(256).optional(),
});

/** The fields a client may set on a job (wire-protocol.md §7); `cron.add` takes them flat. */
export const JobFields = {
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  agentId: z.string().min(1).max(64).optional(),
  enabled: z.boolean().optional(),
  deleteAfterRun: z.boolean().optional(),
  schedule: ScheduleSchema,
  sessionTarget: z.enum(["main", "isolated"]).optional(),
  wakeMode: z.enum(["now", "next-heartbeat"]).optional(),
  payload: JobPayload,
  delivery: JobDelivery.optional(),
};
export const JobInput = z.strictObject(JobFields);
export type JobInput = z.infer<typeof JobInput>;
export const JobPatch = JobInput.partial();
export type JobPatch = z.infer<typeof JobPatch>;
export type JobPayload = z.infer<typeof JobPayload>;

export interface CronJob {
  id: string;
  agentId: string;
  name: string;
  description?: string;
  enabled: boolean;
  deleteAfterRun: boolean;
  schedule: Schedule;
  sessionTarget: "main" | "isolated";
  wakeMode: "now" | "next-heartbeat";
  payload: JobPayload;
  delivery?: z.infer<typeof JobDelivery>;
  state: {
    nextRunAtMs?: number;
    runningAtMs?: number;
    lastRunAtMs?: number;
    lastStatus?: string;
    lastError?: string;
    lastDurationMs?: number;
  };
  createdAtMs: number;
  updatedAtMs: number;
}

const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function jobView(row: CronJobRow): CronJob {
  const state = {
    nextRunAtMs: orUndefined(row.nextRunAtMs),
    runningAtMs: orUndefined(row.runningAtMs),
    lastRunAtMs: orUndefined(row.lastRunAtMs),
    lastStatus: orUndefined(row.lastStatus),
    lastError: orUndefined(row.lastError),
    lastDurationMs: orUndefined(row.lastDurationMs),
  };
  return {
    id: row.id,
    agentId: row.agentId,
    name: row.name,
    ...(row.description ? { description: row.description } : {}),
    enabled: row.enabled,
    deleteAfterRun: row.deleteAfterRun,
    schedule: JSON.parse(row.schedule) as Schedule,
    sessionTarget: row.sessionTarget,
    wakeMode: row.wakeMode,
    payload: JSON.parse(row.payload) as JobPayload,
    ...(row.delivery ? { delivery: JSON.parse(row.delivery) as CronJob["delivery"] } : {}),
    state: Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)),
    createdAtMs: row.createdAtMs,
    updatedAtMs: row.updatedAtMs,
  };
}

export function runView(row: CronRunRow) {
  const { tenantId: _tenant, ...rest } = row;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null));
}

/** The zone a job's wall-clock schedule is read in: the agent's configured zone, else UTC. */
export const jobTimezone = (config: Config) => config.agents.defaults.timezone;

export type CronEvent = { jobId: string; action: "added" | "updated" | "removed" | "started" | "finished" } & Record<string, unknown>;

/**
 * Cron job definitions: validation, defaults, storage and the `cron` events of changes.
 * Running them is the scheduler's job; it is told of every change (`onChange`).
 */
export class CronJobs {
  readonly repo: ReturnType<typeof cronRepo>;

  constructor(
    db: Database,
    private readonly tenantId: () => string,
    private readonly config: ConfigStore,
    private readonly clock: Clock,
    private readonly emit: (e: CronEvent) => void,
    /** Replans the tenant's next wake; awaited, so a change is scheduled when its call returns. */
    private readonly onChange: () => Promise<unknown>,
  ) {
    this.repo = cronRepo(db);
  }

  async list(includeDisabled: boolean): Promise<CronJob[]> {
    return (await this.repo.list(this.tenantId(), includeDisabled)).map(jobView);
  }

  async require(method: string, id: string): Promise<CronJobRow> {
    const row = await this.repo.get(this.tenantId(), id);
    if (!row) throw invalidParams(method, `unknown job "${id}"`);
    return row;
  }

  async add(method: string, input: JobInput): Promise<CronJob> {
    const now = this.clock.now();
    const row = await this.validated(method, input, undefined, now);
    await this.repo.insert(row);
    await this.onChange();
    const job = jobView(row);
    this.emit({ jobId: job.id, action: "added", ...(job.state.nextRunAtMs ? { nextRunAtMs: job.state.nextRunAtMs } : {}) });
    return job;
  }

  async update(method: string, id: string, patch: JobPatch): Promise<CronJob> {
    const current = await this.require(method, id);
    const now = this.clock.now();
    const merged: JobInput = { ...inputOf(jobView(current)), ...patch };
    const row = await this.validated(method, merged, current, now);
    const updated = await this.repo.update(this.tenantId(), id, { ...row, createdAtMs: current.createdAtMs });
    if (!updated) throw invalidParams(method, `unknown job "${id}"`);
    await this.onChange();
    const job = jobView(updated);
    this.emit({ jobId: id, action: "updated", ...(job.state.nextRunAtMs ? { nextRunAtMs: job.state.nextRunAtMs } : {}) });
    return job;
  }

  async remove(id: string): Promise<boolean> {
    const removed = await this.repo.remove(this.tenantId(), id);
    if (removed) {
      await this.onChange();
      this.emit({ jobId: id, action: "removed" });
    }
    return removed;
  }

  /** Defaults filled, combinations and the schedule checked; the next run computed. */
  private async validated(method: string, input: JobInput, current: CronJobRow | undefined, now: number): Promise<CronJobRow> {
    const config = (await this.config.load()).resolved;
    const agentId = input.agentId ?? "main";
    if (!listAgents(config).some((a) => a.id === agentId)) throw invalidParams(method, `agentId: unknown agent "${agentId}"`);
    const sessionTarget = input.sessionTarget ?? (input.payload.kind === "systemEvent" ? "main" : "isolated");
    if (sessionTarget === "main" && input.payload.kind !== "systemEvent") {
      throw invalidParams(method, 'sessionTarget "main" needs a systemEvent payload (an agentTurn runs in its own, isolated session)');
    }
    if (sessionTarget === "isolated" && input.payload.kind !== "agentTurn") {
      throw invalidParams(method, 'sessionTarget "isolated" needs an agentTurn payload (a systemEvent goes to the main session)');
    }
    const createdAtMs = current?.createdAtMs ?? now;
    let schedule: Schedule;
    let nextRunAtMs: number | undefined;
    const enabled = input.enabled ?? true;
    const scheduleChanged = !current || JSON.stringify(input.schedule) !== current.schedule;
    try {
      schedule = scheduleChanged ? normalizeSchedule(input.schedule, { nowMs: now, timezone: jobTimezone(config) }) : input.schedule;
      // Keep the pending run unless the schedule changed or the job is switched back on.
      nextRunAtMs =
        current && !scheduleChanged && current.enabled && current.nextRunAtMs !== null
          ? current.nextRunAtMs
          : firstRun(schedule, { nowMs: now, timezone: jobTimezone(config), createdAtMs });
    } catch (err) {
      if (err instanceof ScheduleError) throw invalidParams(method, err.message);
      throw err;
    }
    return {
      tenantId: this.tenantId(),
      id: current?.id ?? crypto.randomUUID(),
      agentId,
      name: input.name,
      description: input.description ?? null,
      enabled,
      deleteAfterRun: input.deleteAfterRun ?? false,
      schedule: JSON.stringify(schedule),
      sessionTarget,
      wakeMode: input.wakeMode ?? "next-heartbeat",
      payload: JSON.stringify(input.payload),
      delivery: input.delivery ? JSON.stringify(input.delivery) : null,
      nextRunAtMs: nextRunAtMs ?? null,
      runningAtMs: current?.runningAtMs ?? null,
      lastRunAtMs: current?.lastRunAtMs ?? null,
      lastStatus: current?.lastStatus ?? null,
      lastError: current?.lastError ?? null,
      lastDurationMs: current?.lastDurationMs ?? null,
      createdAtMs,
      updatedAtMs: now,
    };
  }
}

/** A stored job as the input it could have been created from (for merging patches). */
function inputOf(job: CronJob): JobInput {
  return {
    name: job.name,
    ...(job.description ? { description: job.description } : {}),
    agentId: job.agentId,
    enabled: job.enabled,
    deleteAfterRun: job.deleteAfterRun,
    schedule: job.schedule,
    sessionTarget: job.sessionTarget,
    wakeMode: job.wakeMode,
    payload: job.payload,
    ...(job.delivery ? { delivery: job.delivery } : {}),
  };
}
