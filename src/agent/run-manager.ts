import type { UserContent } from "ai";
import type { Config } from "../config/schema";
import type { ConfigStore } from "../config/store";
import type { Env } from "../env";
import { agentBusy, invalidParams } from "../protocol/errors";
import { agentDisplayName, listAgents } from "./agents";
import type { AgentFiles } from "./agent-files";
import { languageModel, modelTarget, type ModelTarget } from "./providers";
import { RunEmitter, type Broadcast } from "./run-events";
import { streamRun, type RunOutcome } from "./run-loop";
import { resolveSessionKey, type SessionRef } from "./session-keys";
import type { OpenSession, SessionStore } from "./session-store";
import { buildSystemPrompt } from "./system-prompt";
import type { ToolContext, ToolRegistry } from "./tools/registry";
import { historyMessages, latestSummary, type DisplayPart } from "./transcript";

export type RunStatus = "running" | "ok" | "error" | "aborted";
export type ThinkingSetting = Config["agents"]["defaults"]["thinkingDefault"];

/** What the Durable Object keeps per run (in its storage, so it outlives reconnects and evictions). */
export interface RunRecord {
  runId: string;
  kind: "chat" | "agent" | "cron" | "heartbeat" | "worker" | "contemplation";
  sessionKey: string;
  agentId: string;
  model: string;
  status: RunStatus;
  startedAt: number;
  endedAt?: number;
  error?: string;
  /** The reply, shortened: `agent`'s second response and `agent.wait`. */
  summary?: string;
}

export interface ImageInput {
  mimeType: string;
  /** base64 */
  data: string;
}

export interface RunRequest {
  kind: RunRecord["kind"];
  method: string;
  message: string;
  sessionKey?: string;
  agentId?: string;
  model?: string;
  thinking?: ThinkingSetting;
  images: ImageInput[];
  idempotencyKey?: string;
  extraSystemPrompt?: string;
  /** Scheduled turns (heartbeats) stream nothing; clients see them only when they are kept. */
  quiet?: boolean;
  /** Whether the turn is stored in the transcript (default: always). */
  keep?: (outcome: RunOutcome) => boolean;
  /** Ends the run as an error after this long. */
  timeoutMs?: number;
}

/** A run that was accepted and is about to start (`begin`), or one that already exists. */
export type Admission = { fresh: true; record: RunRecord; begin: () => void } | { fresh: false; record: RunRecord };

interface ActiveRun {
  record: RunRecord;
  controller: AbortController;
  done: Promise<RunRecord>;
}

/** Finished runs answer duplicate requests and `agent.wait` for at least this long. */
export const RUN_RECORD_TTL_MS = 10 * 60 * 1000;
const RECORD_PREFIX = "run:";
const LAST_RUN_PREFIX = "lastRun:";
const SUMMARY_CHARS = 500;
export const INTERRUPTED_MESSAGE = "interrupted: the gateway restarted during this run";

/** The parts of the tenant's Durable Object a run needs. */
export interface RunDeps {
  kv: SyncKvStorage;
  env: Env;
  config: ConfigStore;
  files: AgentFiles;
  sessions: SessionStore;
  tools: ToolRegistry;
  /** The scheduler's services tools reach (cron jobs, tasks); resolved per run. */
  toolServices: () => Pick<ToolContext, "cron" | "tasks">;
  tenantId: () => string;
  broadcast: Broadcast;
  now?: () => number;
}

/**
 * Agent runs of one tenant (wire-protocol.md §5): one active run per session, the run id is
 * the idempotency key, and every run's record lives in Durable Object storage so duplicates,
 * `agent.wait` and interrupted runs are answered after reconnects and evictions too.
 */
export class RunManager {
  private readonly active = new Map<string, ActiveRun>();
  private readonly unsaved = new Map<string, unknown>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: RunDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Validates a request and reserves its run; nothing streams until `begin` (called after the
   * response went out, so clients see the acknowledgement before the first event).
   */
  async admit(req: RunRequest): Promise<Admission> {
    if (req.idempotencyKey) {
      const existing = this.record(req.idempotencyKey);
      if (existing) return { fresh: false, record: existing };
    }
    const config = (await this.deps.config.load()).resolved;
    const ref = resolveSessionKey(req.sessionKey, req.agentId);
    if (req.agentId && ref.agentId !== req.agentId) {
      throw invalidParams(req.method, `agentId "${req.agentId}" does not own session ${ref.key}`);
    }
    if (!listAgents(config).some((a) => a.id === ref.agentId)) throw invalidParams(req.method, `unknown agent "${ref.agentId}"`);
    const modelId = req.model ?? listAgents(config).find((a) => a.id === ref.agentId)!.model;
    const target = modelTarget(req.method, modelId, config, this.deps.env, req.images.length > 0);

    // Checked again after the awaits above: another request may have taken the session.
    if (req.idempotencyKey) {
      const existing = this.record(req.idempotencyKey);
      if (existing) return { fresh: false, record: existing };
    }
    const busy = this.activeOn(ref.key);
    if (busy) throw agentBusy(ref.key, busy.record.runId);

    const record: RunRecord = {
      runId: req.idempotencyKey ?? crypto.randomUUID(),
      kind: req.kind,
      sessionKey: ref.key,
      agentId: ref.agentId,
      model: modelId,
      status: "running",
      startedAt: this.now(),
    };
    this.save(record);
    this.write(LAST_RUN_PREFIX + ref.key, record.runId);
    const controller = new AbortController();
    let settle!: (r: RunRecord) => void;
    const done = new Promise<RunRecord>((resolve) => (settle = resolve));
    this.active.set(record.runId, { record, controller, done });
    const thinking = target.info?.reasoning ? (req.thinking ?? config.agents.defaults.thinkingDefault) : undefined;
    return {
      fresh: true,
      record,
      begin: () => void this.execute(record, ref, req, { ...target, thinking }, controller).then(settle),
    };
  }

  /** Starts a turn for the scheduler and resolves with its final record (Agent Busy when the session is). */
  async runTurn(req: RunRequest): Promise<RunRecord> {
    const admission = await this.admit(req);
    if (admission.fresh) admission.begin();
    return (await this.settled(admission.record.runId)) ?? admission.record;
  }

  /** Aborts the active run of a session (or only `runId` when given). */
  abort(sessionKey: string, runId?: string): { aborted: boolean; runIds: string[] } {
    const key = resolveSessionKey(sessionKey).key;
    const run = this.activeOn(key);
    if (!run || (runId && run.record.runId !== runId)) return { aborted: false, runIds: [] };
    run.controller.abort();
    return { aborted: true, runIds: [run.record.runId] };
  }

  /** The active run of a session, if any (for methods that must not race a run). */
  activeOn(sessionKey: string): ActiveRun | undefined {
    for (const run of this.active.values()) if (run.record.sessionKey === sessionKey) return run;
    return undefined;
  }

  /** The run's record once it ended, or its current record when `timeoutMs` passes first. */
  async wait(runId: string, timeoutMs: number): Promise<{ record: RunRecord; timedOut: boolean } | undefined> {
    const run = this.active.get(runId);
    if (!run) {
      const record = this.record(runId);
      return record ? { record, timedOut: false } : undefined;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
    const outcome = await Promise.race([run.done, timeout]);
    clearTimeout(timer);
    return outcome === "timeout" ? { record: run.record, timedOut: true } : { record: outcome, timedOut: false };
  }

  /** Whether any of the agent's sessions has a turn going. */
  activeForAgent(agentId: string): boolean {
    for (const run of this.active.values()) if (run.record.agentId === agentId) return true;
    return false;
  }

  /** Resolves with the run's final record once it ended (at once when it already has). */
  settled(runId: string): Promise<RunRecord | undefined> {
    return this.active.get(runId)?.done ?? Promise.resolve(this.record(runId));
  }

  /** The latest run of a session (active or recently finished). */
  lastRunOf(sessionKey: string): string | undefined {
    return this.read<string>(LAST_RUN_PREFIX + resolveSessionKey(sessionKey).key);
  }

  record(runId: string): RunRecord | undefined {
    return this.read<RunRecord>(RECORD_PREFIX + runId);
  }

  /**
   * Runs recorded as running that no live instance owns were cut off by an eviction or a
   * deploy: close them as errors, with an assistant message so the transcript stays whole.
   */
  async recoverInterrupted(): Promise<number> {
    let closed = 0;
    for (const [, record] of this.deps.kv.list<RunRecord>({ prefix: RECORD_PREFIX })) {
      if (record.status !== "running" || this.active.has(record.runId)) continue;
      const emitter = new RunEmitter(this.deps.broadcast, record.runId, record.sessionKey, this.now);
      const endedAt = this.now();
      try {
        const session = await this.deps.sessions.open({ key: record.sessionKey, agentId: record.agentId }, endedAt);
        await this.deps.sessions.append(
          session,
          { role: "assistant", content: [], runId: record.runId, model: record.model, stopReason: "error", errorMessage: INTERRUPTED_MESSAGE },
          { model: record.model },
          endedAt,
        );
      } catch {
        console.error("interrupted run: could not record it in the transcript");
      }
      this.save({ ...record, status: "error", endedAt, error: INTERRUPTED_MESSAGE });
      emitter.finish("error", { endedAt, text: "", stopReason: "error", errorMessage: INTERRUPTED_MESSAGE });
      closed++;
    }
    return closed;
  }

  private async execute(
    record: RunRecord,
    ref: SessionRef,
    req: RunRequest,
    target: ModelTarget & { thinking?: ThinkingSetting },
    controller: AbortController,
  ): Promise<RunRecord> {
    const signal = controller.signal;
    const emitter = new RunEmitter(req.quiet ? () => {} : this.deps.broadcast, record.runId, ref.key, this.now);
    emitter.start({ model: record.model });
    let timedOut = false;
    const timer = req.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, req.timeoutMs)
      : undefined;
    let session: OpenSession | undefined;
    let userWrite: Promise<void> = Promise.resolve();
    let outcome: RunOutcome;
    try {
      const startedAt = this.now();
      const [snapshot, files, opened] = await Promise.all([
        this.deps.config.load(),
        this.deps.files.all(ref.agentId),
        this.deps.sessions.open(ref, startedAt),
      ]);
      session = opened;
      const config = snapshot.resolved;
      const history = historyMessages(session.turns);
      const system = buildSystemPrompt({
        agentId: ref.agentId,
        agentName: agentDisplayName(config, ref.agentId, files.get("IDENTITY.md")?.content),
        files,
        nowMs: startedAt,
        timezone: config.agents.defaults.timezone,
        toolNames: this.deps.tools.tools.map((t) => t.name),
        summary: latestSummary(session.turns),
        extra: req.extraSystemPrompt,
      });
      // The user's message is stored while the model works: queued behind the provider request
      // (building the D1 batch takes CPU the first token should not wait for). Turns that may
      // not be kept store it at the end, with the answer.
      if (!req.keep) userWrite = this.storeUserMessage(session, record, req, startedAt, { afterTick: true });
      outcome = await streamRun(
        {
          model: languageModel(target.provider, target.model, this.deps.env),
          providerId: target.provider.id,
          system,
          messages: [...history, { role: "user", content: userContent(req) }],
          tools: this.deps.tools.toolSet({
            tenantId: this.deps.tenantId(),
            agentId: ref.agentId,
            sessionKey: ref.key,
            files: this.deps.files,
            sessions: this.deps.sessions,
            ...this.deps.toolServices(),
            now: this.now,
            signal,
          }),
          maxSteps: config.agents.defaults.maxSteps,
          thinking: target.thinking,
          signal,
          secrets: [target.provider.apiKey],
        },
        emitter,
      );
    } catch (err) {
      console.error(`run setup failed: ${err instanceof Error ? err.name : typeof err}`);
      outcome = { status: "error", parts: [], text: "", usage: { input: 0, output: 0 }, stopReason: "error", errorMessage: "internal error: the run could not start" };
    }
    clearTimeout(timer);
    if (timedOut && outcome.status === "aborted") {
      outcome = { ...outcome, status: "error", stopReason: "error", errorMessage: `timed out after ${Math.round(req.timeoutMs! / 1000)} s` };
    }
    return this.finish(record, req, session, userWrite, outcome, emitter);
  }

  private storeUserMessage(session: OpenSession, record: RunRecord, req: RunRequest, atMs: number, o?: { afterTick?: boolean }) {
    return this.deps.sessions.append(session, userMessage(record.runId, req), { preview: req.message, title: req.message }, atMs, o);
  }

  private async finish(
    record: RunRecord,
    req: RunRequest,
    session: OpenSession | undefined,
    userWrite: Promise<void>,
    outcome: RunOutcome,
    emitter: RunEmitter,
  ): Promise<RunRecord> {
    const endedAt = this.now();
    const keep = req.keep ? req.keep(outcome) : true;
    if (session && keep) {
      try {
        if (req.keep) await this.storeUserMessage(session, record, req, record.startedAt);
        await userWrite;
        await this.deps.sessions.append(
          session,
          {
            role: "assistant",
            content: outcome.parts,
            runId: record.runId,
            model: record.model,
            stopReason: outcome.stopReason,
            errorMessage: outcome.errorMessage,
            inputTokens: outcome.usage.input,
            outputTokens: outcome.usage.output,
          },
          { model: record.model, ...(outcome.text ? { preview: outcome.text } : {}) },
          endedAt,
        );
      } catch {
        console.error("run: could not store the transcript");
      }
    }
    const final: RunRecord = {
      ...record,
      status: outcome.status,
      endedAt,
      ...(outcome.errorMessage ? { error: outcome.errorMessage } : {}),
      summary: (outcome.errorMessage ?? outcome.text).slice(0, SUMMARY_CHARS),
    };
    this.save(final);
    this.active.delete(record.runId);
    // A quiet turn that is kept is announced once, complete (a delivered heartbeat).
    const announcer = req.quiet ? (keep ? new RunEmitter(this.deps.broadcast, record.runId, record.sessionKey, this.now) : undefined) : emitter;
    announcer?.finish(outcome.status === "ok" ? "final" : outcome.status, {
      endedAt,
      text: outcome.text,
      stopReason: outcome.stopReason,
      errorMessage: outcome.errorMessage,
      usage: outcome.usage,
    });
    return final;
  }

  private save(record: RunRecord) {
    this.write(RECORD_PREFIX + record.runId, record);
  }

  /**
   * Run bookkeeping is written behind: kept in memory and stored a moment later, after the
   * `chat.send` answer and the provider request have gone out. A storage write before them
   * would hold both back until it is durable (the Durable Object's output gate). Reads see
   * unsaved values; only a crash in that moment could lose one.
   */
  private write(key: string, value: unknown) {
    this.unsaved.set(key, value);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      for (const [k, v] of this.unsaved) this.deps.kv.put(k, v);
      this.unsaved.clear();
      this.prune();
    }, 0);
  }

  private read<T>(key: string): T | undefined {
    return (this.unsaved.get(key) as T | undefined) ?? this.deps.kv.get<T>(key);
  }

  /** Forgets finished runs older than the TTL (a handful of keys: runs of the last minutes). */
  private prune() {
    const cutoff = this.now() - RUN_RECORD_TTL_MS;
    const stale = [...this.deps.kv.list<RunRecord>({ prefix: RECORD_PREFIX })]
      .filter(([, record]) => record.status !== "running" && (record.endedAt ?? 0) < cutoff)
      .map(([key]) => key);
    for (const key of stale) this.deps.kv.delete(key);
  }
}

function userMessage(runId: string, req: RunRequest) {
  const content: DisplayPart[] = [{ type: "text", text: req.message }];
  for (const img of req.images) content.push({ type: "image", mimeType: img.mimeType, bytes: Math.floor((img.data.length * 3) / 4), omitted: true });
  return { role: "user" as const, content, runId };
}

function userContent(req: RunRequest): UserContent {
  if (req.images.length === 0) return req.message;
  return [{ type: "text", text: req.message }, ...req.images.map((img) => ({ type: "image" as const, image: img.data, mediaType: img.mimeType }))];
}
