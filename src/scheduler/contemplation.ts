import { listAgents } from "../agent/agents";
import { resolveSessionKey } from "../agent/session-keys";
import { durationToMs } from "../config/duration";
import type { Config } from "../config/schema";
import { ErrorKind, GatewayError } from "../protocol/errors";
import { AgentStates, type ArmedState } from "./agent-state";
import type { SchedulerDeps } from "./deps";

/** An agent busy with a turn when contemplation is due gets it this much later. */
export const NOT_IDLE_RETRY_MS = 10 * 60 * 1000;

export const CONTEMPLATION_PROMPT =
  "[Contemplation] You have some quiet time to yourself. Look back at recent conversations (sessions_list, " +
  "sessions_history), your memory (memory_read) and your open tasks (tasks_list). If you notice something worth " +
  "remembering, save it with memory_append; if something should be done, add a task with tasks_add. Then reply in one " +
  "or two sentences with what you did.";

export interface ContemplationResult {
  ts: number;
  agentId: string;
  status: "ok" | "error" | "skipped";
  runId?: string;
  summary?: string;
  reason?: string;
}

interface ContemplationState extends ArmedState {
  lastRunAtMs?: number;
  retryAtMs?: number;
  last?: ContemplationResult;
}


/**
 * Contemplation: when `agents.defaults.contemplation.enabled`, an idle agent gets a
 * self-directed reflection turn every `contemplation.every` in its own session, with the same
 * tools as any turn (it may append to MEMORY.md or add tasks).
 */
export class Contemplation {
  private readonly running = new Set<string>();
  private readonly states: AgentStates<ContemplationState>;

  constructor(private readonly deps: SchedulerDeps) {
    this.states = new AgentStates(deps.kv, "contemplation", deps.clock, (armedAtMs) => ({ armedAtMs }));
  }

  dueTimes(config: Config): Map<string, number> {
    const due = new Map<string, number>();
    const settings = config.agents.defaults.contemplation;
    if (!settings.enabled) return due;
    for (const { id } of listAgents(config)) {
      if (this.running.has(id)) continue; // due again once it has finished, not while it runs
      const s = this.states.get(id);
      due.set(id, s.retryAtMs ?? (s.lastRunAtMs ?? s.armedAtMs) + durationToMs(settings.every));
    }
    return due;
  }

  async runDue(config: Config, now: number): Promise<void> {
    const due = [...this.dueTimes(config)].filter(([, at]) => at <= now);
    await Promise.all(due.map(([id]) => this.run(id, { requireIdle: true })));
  }

  last(agentId: string) {
    return this.states.find(agentId)?.last;
  }

  /** One reflection turn; scheduled ones wait while the agent is in the middle of something. */
  async run(agentId: string, o: { requireIdle: boolean }): Promise<ContemplationResult> {
    const started = this.deps.clock.now();
    if (o.requireIdle && this.deps.runs.activeForAgent(agentId)) {
      this.states.update(agentId, { retryAtMs: started + NOT_IDLE_RETRY_MS });
      return this.record(agentId, { ts: started, agentId, status: "skipped", reason: "agent is busy" }, undefined);
    }
    this.running.add(agentId);
    try {
      const record = await this.deps.runs.runTurn({
        kind: "contemplation",
        method: "contemplation",
        sessionKey: resolveSessionKey("contemplation", agentId).key,
        agentId,
        message: CONTEMPLATION_PROMPT,
        images: [],
      });
      const result: ContemplationResult =
        record.status === "ok"
          ? { ts: this.deps.clock.now(), agentId, status: "ok", runId: record.runId, summary: record.summary ?? "" }
          : { ts: this.deps.clock.now(), agentId, status: "error", runId: record.runId, reason: record.error ?? record.status };
      return this.record(agentId, result, started);
    } catch (err) {
      const reason = err instanceof GatewayError ? (err.code === ErrorKind.AgentBusy ? "contemplation session busy" : err.message) : "internal error";
      return this.record(agentId, { ts: this.deps.clock.now(), agentId, status: err instanceof GatewayError && err.code === ErrorKind.AgentBusy ? "skipped" : "error", reason }, started);
    } finally {
      this.running.delete(agentId);
    }
  }

  private record(agentId: string, result: ContemplationResult, ranAt: number | undefined): ContemplationResult {
    const s = this.states.get(agentId);
    this.states.put(agentId, ranAt === undefined ? { ...s, last: result } : { armedAtMs: s.armedAtMs, lastRunAtMs: ranAt, last: result });
    return result;
  }
}
