import { listAgents } from "../agent/agents";
import { resolveSessionKey } from "../agent/session-keys";
import { durationToMs } from "../config/duration";
import type { Config } from "../config/schema";
import { ErrorKind, GatewayError } from "../protocol/errors";
import { AgentStates, type ArmedState } from "./agent-state";
import type { SchedulerDeps } from "./deps";
import type { TaskService, TaskView } from "./tasks";

export interface WorkerMetrics {
  cycles: number;
  tasksAttempted: number;
  tasksProgressed: number;
  tasksBlocked: number;
  tasksCompleted: number;
  failures: number;
}

interface WorkerState extends ArmedState {
  paused: boolean;
  lastRunAtMs?: number;
  lastResult?: { attempted: number; progressed: number; blocked: number; completed: number; failures: number; reason?: string };
  metrics: WorkerMetrics;
}

const NO_METRICS: WorkerMetrics = { cycles: 0, tasksAttempted: 0, tasksProgressed: 0, tasksBlocked: 0, tasksCompleted: 0, failures: 0 };

export function workerPrompt(task: TaskView, attempt: number, max: number): string {
  const evidence = task.evidence.length ? task.evidence.map((e) => `- ${new Date(e.atMs).toISOString()} (${e.by}): ${e.note}`).join("\n") : "(none yet)";
  return [
    `[Execution worker] Work on task ${task.id}: "${task.title}" (priority ${task.priority}, status ${task.status}).`,
    task.details ? `Details:\n${task.details}` : "",
    `Evidence recorded so far:\n${evidence}`,
    "Make concrete progress now. Record what you did with the tasks_update tool (`evidence`: a short note of what was done " +
      'or found). Set status "done" when the task is complete, or "blocked" with a blockedReason if you cannot go on. ' +
      `Work without recorded evidence does not count (attempt ${attempt} of ${max} before the task is blocked).`,
  ]
    .filter(Boolean)
    .join("\n\n");
}

/**
 * The execution worker: every `executionWorker.every`, for each agent with open tasks, work up
 * to `maxTasksPerCycle` of them (priority first) in the agent's worker session. A task counts
 * as progressed only when the turn recorded evidence; after `maxNoProgressAttempts` attempts
 * in a row without, it is blocked with the reason. Agents without open tasks are not scheduled.
 */
export class ExecutionWorker {
  private readonly running = new Set<string>();
  private readonly states: AgentStates<WorkerState>;

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly tasks: TaskService,
  ) {
    this.states = new AgentStates(deps.kv, "worker", deps.clock, (armedAtMs) => ({ armedAtMs, paused: false, metrics: NO_METRICS }));
  }

  status(config: Config, agentId: string, nextDueAtMs: number | undefined) {
    const s = this.states.find(agentId);
    const settings = config.agents.defaults.executionWorker;
    return {
      agentId,
      enabled: settings.enabled,
      paused: s?.paused ?? false,
      running: this.running.has(agentId),
      every: settings.every,
      maxTasksPerCycle: settings.maxTasksPerCycle,
      maxNoProgressAttempts: settings.maxNoProgressAttempts,
      nextDueAtMs: nextDueAtMs ?? null,
      lastRunAtMs: s?.lastRunAtMs ?? null,
      lastResult: s?.lastResult ?? null,
      metrics: s?.metrics ?? NO_METRICS,
    };
  }

  setPaused(agentId: string, paused: boolean) {
    this.states.update(agentId, { paused });
  }

  isRunning(agentId: string) {
    return this.running.has(agentId);
  }

  async dueTimes(config: Config): Promise<Map<string, number>> {
    const due = new Map<string, number>();
    const settings = config.agents.defaults.executionWorker;
    if (!settings.enabled) return due;
    for (const { id } of listAgents(config)) {
      const state = this.states.find(id);
      if (state?.paused || this.running.has(id) || (await this.tasks.open(id)).length === 0) continue;
      const s = state ?? this.states.get(id);
      due.set(id, (s.lastRunAtMs ?? s.armedAtMs) + durationToMs(settings.every));
    }
    return due;
  }

  async runDue(config: Config, now: number): Promise<void> {
    const due = await this.dueTimes(config);
    await Promise.all([...due].filter(([, at]) => at <= now).map(([id]) => this.cycle(id)));
  }

  /** One cycle for an agent (paused or disabled workers still run when asked explicitly). */
  async cycle(agentId: string): Promise<WorkerState["lastResult"]> {
    if (this.running.has(agentId)) return { attempted: 0, progressed: 0, blocked: 0, completed: 0, failures: 0, reason: "already running" };
    this.running.add(agentId);
    const started = this.deps.clock.now();
    const result = { attempted: 0, progressed: 0, blocked: 0, completed: 0, failures: 0 } as NonNullable<WorkerState["lastResult"]>;
    try {
      const settings = (await this.deps.config.load()).resolved.agents.defaults.executionWorker;
      const open = (await this.tasks.open(agentId)).slice(0, settings.maxTasksPerCycle);
      for (const task of open) {
        result.attempted++;
        const evidenceBefore = task.evidence.length;
        let status: string;
        try {
          const record = await this.deps.runs.runTurn({
            kind: "worker",
            method: "execution.worker",
            sessionKey: resolveSessionKey("worker", agentId).key,
            agentId,
            message: workerPrompt(task, task.noProgressAttempts + 1, settings.maxNoProgressAttempts),
            images: [],
          });
          status = record.status;
        } catch (err) {
          status = err instanceof GatewayError && err.code === ErrorKind.AgentBusy ? "busy" : "error";
        }
        if (status !== "ok") {
          result.failures++;
          if (status === "busy") break; // the worker session is in use; try next cycle
          continue;
        }
        const after = await this.tasks.get(task.id);
        const progressed = after.evidence.length > evidenceBefore;
        const updated = await this.tasks.recordAttempt(after, progressed, settings.maxNoProgressAttempts);
        if (progressed) result.progressed++;
        if (updated.status === "blocked" && task.status !== "blocked") result.blocked++;
        if (updated.status === "done") result.completed++;
      }
      if (open.length === 0) result.reason = "no open tasks";
    } catch (err) {
      console.error(`execution worker failed: ${err instanceof Error ? err.name : typeof err}`);
      result.failures++;
    } finally {
      this.running.delete(agentId);
    }
    const s = this.states.get(agentId);
    const m = s.metrics;
    this.states.put(agentId, {
      ...s,
      lastRunAtMs: started,
      lastResult: result,
      metrics: {
        cycles: m.cycles + 1,
        tasksAttempted: m.tasksAttempted + result.attempted,
        tasksProgressed: m.tasksProgressed + result.progressed,
        tasksBlocked: m.tasksBlocked + result.blocked,
        tasksCompleted: m.tasksCompleted + result.completed,
        failures: m.failures + result.failures,
      },
    });
    return result;
  }
}
