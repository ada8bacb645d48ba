import { listAgents } from "../agent/agents";
import { describeNow } from "../agent/system-prompt";
import { resolveSessionKey } from "../agent/session-keys";
import { durationToMs } from "../config/duration";
import type { Config } from "../config/schema";
import { GatewayError, ErrorKind } from "../protocol/errors";
import { AgentStates, type ArmedState } from "./agent-state";
import type { SchedulerDeps } from "./deps";

/** The reply that means "nothing needs attention": acknowledged, never delivered. */
export const HEARTBEAT_OK = "HEARTBEAT_OK";
const MAX_QUEUED_EVENTS = 50;
/** A heartbeat that finds the main session busy tries again this much later. */
export const BUSY_RETRY_MS = 60_000;

export type HeartbeatStatus = "sent" | "ok-empty" | "ok-token" | "skipped" | "failed";

export interface HeartbeatEvent {
  ts: number;
  agentId: string;
  status: HeartbeatStatus;
  preview?: string;
  durationMs?: number;
  reason?: string;
}

export interface SystemEvent {
  text: string;
  atMs: number;
  source: string;
}

interface HeartbeatState extends ArmedState {
  lastRunAtMs?: number;
  /** Set when a heartbeat had to wait (busy session): the next try. */
  retryAtMs?: number;
  last?: HeartbeatEvent;
}

/** A reply of only HEARTBEAT_OK (as models write it: bold, quoted, with a full stop) is an acknowledgement. */
export function isHeartbeatAck(text: string): boolean {
  return text.replace(/^[\s*_`"'>]+|[\s*_`"'.!]+$/g, "") === HEARTBEAT_OK;
}

/** HEARTBEAT.md counts as empty when it has nothing but headings, comments and blank lines. */
export function isEffectivelyEmpty(markdown: string | undefined): boolean {
  if (!markdown) return true;
  return markdown
    .replace(/<!--[\s\S]*?-->/g, "")
    .split("\n")
    .every((line) => line.trim() === "" || /^#{1,6}\s/.test(line.trim()));
}

export function heartbeatPrompt(file: string | undefined, events: readonly SystemEvent[], nowMs: number, timezone?: string): string {
  const parts = [
    `[Heartbeat — ${describeNow(nowMs, timezone)}]`,
    "This is your periodic heartbeat. Work through the checklist in HEARTBEAT.md and the queued events below. " +
      `If nothing needs the user's attention, reply with exactly ${HEARTBEAT_OK} and nothing else.`,
  ];
  if (!isEffectivelyEmpty(file)) parts.push(`## HEARTBEAT.md\n\n${file!.trim()}`);
  if (events.length > 0) {
    parts.push(`## Queued events\n\n${events.map((e) => `- ${new Date(e.atMs).toISOString()} (${e.source}): ${e.text}`).join("\n")}`);
  }
  return parts.join("\n\n");
}

const eventsKey = (agentId: string) => `events:${agentId}`;
const ENABLED_KEY = "heartbeats:enabled";

export const heartbeatEvery = (config: Config, agentId: string) =>
  durationToMs(config.agents.list.find((a) => a.id === agentId)?.heartbeat?.every ?? config.agents.defaults.heartbeat.every);

/**
 * Heartbeats (wire-protocol.md §7): per agent, every `heartbeat.every`, an agent turn in its
 * main session that reads HEARTBEAT.md and the queued system events. A heartbeat with nothing
 * to read is skipped without a model call — and is not even scheduled, so an agent with an
 * empty HEARTBEAT.md and no events never wakes its tenant.
 */
export class Heartbeats {
  private readonly running = new Set<string>();
  private readonly states: AgentStates<HeartbeatState>;

  constructor(private readonly deps: SchedulerDeps) {
    this.states = new AgentStates(deps.kv, "hb", deps.clock, (armedAtMs) => ({ armedAtMs }));
  }

  get enabled(): boolean {
    return this.deps.kv.get<boolean>(ENABLED_KEY) ?? true;
  }

  setEnabled(enabled: boolean) {
    this.deps.kv.put(ENABLED_KEY, enabled);
  }

  events(agentId: string): SystemEvent[] {
    return this.deps.kv.get<SystemEvent[]>(eventsKey(agentId)) ?? [];
  }

  enqueue(agentId: string, text: string, source: string) {
    const queue = [...this.events(agentId), { text, atMs: this.deps.clock.now(), source }];
    this.deps.kv.put(eventsKey(agentId), queue.slice(-MAX_QUEUED_EVENTS));
  }

  last(agentId?: string): HeartbeatEvent | undefined {
    if (agentId) return this.states.find(agentId)?.last;
    const all = this.states.all().flatMap((s) => (s.last ? [s.last] : []));
    return all.sort((a, b) => b.ts - a.ts)[0];
  }

  /** When each agent's next heartbeat is due; agents with nothing to read have none. */
  async dueTimes(config: Config): Promise<Map<string, number>> {
    const due = new Map<string, number>();
    if (!this.enabled) return due;
    for (const { id } of listAgents(config)) {
      if (this.running.has(id)) continue; // due again once it has finished, not while it runs
      const live = this.events(id).length > 0 || !isEffectivelyEmpty((await this.deps.files.get(id, "HEARTBEAT.md"))?.content);
      if (!live) continue;
      const state = this.states.get(id);
      due.set(id, state.retryAtMs ?? (state.lastRunAtMs ?? state.armedAtMs) + heartbeatEvery(config, id));
    }
    return due;
  }

  async runDue(config: Config, now: number): Promise<void> {
    const due = await this.dueTimes(config);
    await Promise.all([...due].filter(([, at]) => at <= now).map(([id]) => this.run(id, "interval")));
  }

  /** One heartbeat now. Never throws: the outcome is the `heartbeat` event it returns. */
  async run(agentId: string, reason: string): Promise<HeartbeatEvent> {
    if (this.running.has(agentId)) return this.report(agentId, { status: "skipped", reason: "already running" }, undefined);
    this.running.add(agentId);
    const started = this.deps.clock.now();
    try {
      const config = (await this.deps.config.load()).resolved;
      const file = (await this.deps.files.get(agentId, "HEARTBEAT.md"))?.content;
      const events = this.events(agentId);
      if (isEffectivelyEmpty(file) && events.length === 0) {
        return this.report(agentId, { status: "skipped", reason: "empty-heartbeat-file" }, started);
      }
      let acked = false;
      const record = await this.deps.runs.runTurn({
        kind: "heartbeat",
        method: "heartbeat",
        sessionKey: resolveSessionKey("main", agentId).key,
        agentId,
        message: heartbeatPrompt(file, events, started, config.agents.defaults.timezone),
        images: [],
        quiet: true,
        keep: (outcome) => {
          acked = outcome.status === "ok" && (outcome.text.trim() === "" || isHeartbeatAck(outcome.text));
          return !acked && outcome.status === "ok";
        },
      });
      const durationMs = this.deps.clock.now() - started;
      if (record.status !== "ok") {
        return this.report(agentId, { status: "failed", reason: record.error ?? record.status, durationMs }, started);
      }
      this.deps.kv.put(eventsKey(agentId), this.events(agentId).slice(events.length)); // the ones it read
      const text = record.summary ?? "";
      if (acked) return this.report(agentId, { status: text.trim() === "" ? "ok-empty" : "ok-token", durationMs, reason }, started);
      return this.report(agentId, { status: "sent", preview: text.slice(0, 200), durationMs, reason }, started);
    } catch (err) {
      if (err instanceof GatewayError && err.code === ErrorKind.AgentBusy) {
        this.states.update(agentId, { retryAtMs: started + BUSY_RETRY_MS });
        return this.report(agentId, { status: "skipped", reason: "main session busy" }, undefined);
      }
      console.error(`heartbeat failed: ${err instanceof Error ? err.name : typeof err}`);
      return this.report(agentId, { status: "failed", reason: "internal error" }, started);
    } finally {
      this.running.delete(agentId);
    }
  }

  /** Records and broadcasts a heartbeat's outcome; `ranAt` (when it counted as a heartbeat) restarts the interval. */
  private report(agentId: string, outcome: Omit<HeartbeatEvent, "ts" | "agentId">, ranAt: number | undefined): HeartbeatEvent {
    const event: HeartbeatEvent = { ts: this.deps.clock.now(), agentId, ...outcome };
    const state = this.states.get(agentId);
    this.states.put(agentId, ranAt === undefined ? { ...state, last: event } : { armedAtMs: state.armedAtMs, lastRunAtMs: ranAt, last: event });
    this.deps.broadcast("heartbeat", event);
    return event;
  }
}
