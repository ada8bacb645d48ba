import { z } from "zod";
import type { Database } from "../db/client";
import { tasksRepo, type TaskRow } from "../db/tasks-repo";
import type { Clock } from "./clock";

export const TASK_STATUSES = ["pending", "in_progress", "blocked", "done"] as const;
export const TASK_PRIORITIES = ["low", "normal", "high", "urgent"] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export const TaskPriority = z.enum(TASK_PRIORITIES);
const PRIORITY_RANK: Record<TaskRow["priority"], number> = { urgent: 0, high: 1, normal: 2, low: 3 };
const MAX_EVIDENCE = 100;

export interface Evidence {
  atMs: number;
  note: string;
  by: string;
}

export type TaskView = Omit<TaskRow, "tenantId" | "evidence"> & { evidence: Evidence[] };

export function taskView(row: TaskRow): TaskView {
  const { tenantId: _tenant, evidence, ...rest } = row;
  return { ...rest, evidence: JSON.parse(evidence) as Evidence[] };
}

export interface TaskChange {
  title?: string;
  details?: string | null;
  status?: TaskRow["status"];
  priority?: TaskRow["priority"];
  /** A note of what was done: appended to the task's evidence. */
  evidence?: string;
  blockedReason?: string | null;
}

export class TaskNotFound extends Error {}

/**
 * The agents' task lists (D1). Every change goes through here so the scheduler hears of it
 * (`onChange`): the execution worker only wakes a tenant that has open tasks.
 */
export class TaskService {
  private readonly repo: ReturnType<typeof tasksRepo>;

  constructor(
    db: Database,
    private readonly tenantId: () => string,
    private readonly clock: Clock,
    /** Replans the tenant's next wake; awaited, so a change is scheduled when its call returns. */
    private readonly onChange: (agentId: string) => Promise<unknown> = async () => {},
  ) {
    this.repo = tasksRepo(db);
  }

  async list(filter: { agentId?: string; statuses?: TaskRow["status"][] } = {}): Promise<TaskView[]> {
    return sortForWork(await this.repo.list(this.tenantId(), filter)).map(taskView);
  }

  async get(id: string): Promise<TaskView> {
    const row = await this.repo.get(this.tenantId(), id);
    if (!row) throw new TaskNotFound(`unknown task "${id}"`);
    return taskView(row);
  }

  async add(input: { agentId: string; title: string; details?: string; priority?: TaskRow["priority"]; createdBy: string }): Promise<TaskView> {
    const now = this.clock.now();
    const row: TaskRow = {
      tenantId: this.tenantId(),
      id: crypto.randomUUID(),
      agentId: input.agentId,
      title: input.title,
      details: input.details ?? null,
      status: "pending",
      priority: input.priority ?? "normal",
      evidence: "[]",
      noProgressAttempts: 0,
      blockedReason: null,
      createdBy: input.createdBy,
      createdAtMs: now,
      updatedAtMs: now,
    };
    await this.repo.insert(row);
    await this.onChange(row.agentId);
    return taskView(row);
  }

  async update(id: string, change: TaskChange, by: string): Promise<TaskView> {
    const current = await this.repo.get(this.tenantId(), id);
    if (!current) throw new TaskNotFound(`unknown task "${id}"`);
    const now = this.clock.now();
    const set: Partial<TaskRow> = { updatedAtMs: now };
    if (change.title !== undefined) set.title = change.title;
    if (change.details !== undefined) set.details = change.details;
    if (change.priority !== undefined) set.priority = change.priority;
    if (change.status !== undefined) {
      set.status = change.status;
      // Reopening a task gives it a fresh set of worker attempts.
      if (change.status !== "blocked") set.blockedReason = null;
      if (change.status === "pending" || change.status === "in_progress") set.noProgressAttempts = 0;
    }
    if (change.blockedReason !== undefined) set.blockedReason = change.blockedReason;
    if (change.evidence !== undefined) {
      const evidence = [...(JSON.parse(current.evidence) as Evidence[]), { atMs: now, note: change.evidence, by }];
      set.evidence = JSON.stringify(evidence.slice(-MAX_EVIDENCE));
    }
    const row = await this.repo.update(this.tenantId(), id, set);
    if (!row) throw new TaskNotFound(`unknown task "${id}"`);
    await this.onChange(row.agentId);
    return taskView(row);
  }

  /** Open tasks of an agent in the order the worker takes them: priority, then age. */
  async open(agentId: string): Promise<TaskView[]> {
    return this.list({ agentId, statuses: ["pending", "in_progress"] });
  }

  /** After a worker attempt: evidence resets the count; too many empty attempts block the task. */
  async recordAttempt(task: TaskView, progressed: boolean, maxNoProgressAttempts: number): Promise<TaskView> {
    const current = await this.get(task.id);
    if (progressed) {
      const status = current.status === "pending" ? "in_progress" : current.status;
      const row = await this.repo.update(this.tenantId(), task.id, { noProgressAttempts: 0, status, updatedAtMs: this.clock.now() });
      return taskView(row!);
    }
    const attempts = current.noProgressAttempts + 1;
    const blocked = attempts >= maxNoProgressAttempts && current.status !== "done";
    const row = await this.repo.update(this.tenantId(), task.id, {
      noProgressAttempts: attempts,
      updatedAtMs: this.clock.now(),
      ...(blocked ? { status: "blocked" as const, blockedReason: `no progress recorded after ${attempts} worker attempts` } : {}),
    });
    if (blocked) await this.onChange(task.agentId);
    return taskView(row!);
  }
}

function sortForWork(rows: TaskRow[]): TaskRow[] {
  return [...rows].sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.createdAtMs - b.createdAtMs);
}
