import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * D1 is the system of record. Every table is keyed by tenant so that a tenant's data can
 * later move to its own database without changing any query's shape.
 */
export const tenants = sqliteTable("tenants", {
  id: text("id").primaryKey(),
  /** SHA-256 (hex) of the gateway token; the token itself is never stored. */
  tokenHash: text("token_hash").notNull(),
  status: text("status", { enum: ["active", "disabled"] }).notNull().default("active"),
  createdAtMs: integer("created_at_ms").notNull(),
  updatedAtMs: integer("updated_at_ms").notNull(),
});

/**
 * The tenant's configuration document: what the user set (defaults are applied on read),
 * with secret values split out into `secrets`, an AES-GCM sealed JSON object.
 */
export const tenantConfig = sqliteTable("tenant_config", {
  tenantId: text("tenant_id")
    .primaryKey()
    .references(() => tenants.id),
  doc: text("doc").notNull(),
  secrets: text("secrets"),
  revision: integer("revision").notNull(),
  updatedAtMs: integer("updated_at_ms").notNull(),
});

/** Alignment files (SOUL.md, ...) per agent. Agents themselves are defined in config. */
export const agentFiles = sqliteTable(
  "agent_files",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    agentId: text("agent_id").notNull(),
    name: text("name").notNull(),
    content: text("content").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.agentId, t.name] })],
);

/**
 * One row per conversation (`agent:<agentId>:<rest>`). `sessionId` names the current
 * transcript: a reset archives the old one (see sessionArchives) and starts a new id, so
 * history is never destroyed. Counters are kept here so `sessions.list` reads one row per
 * session instead of scanning transcripts.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    key: text("key").notNull(),
    agentId: text("agent_id").notNull(),
    sessionId: text("session_id").notNull(),
    label: text("label"),
    /** First user message, shortened: the derived title when there is no label. */
    title: text("title"),
    lastPreview: text("last_preview"),
    model: text("model"),
    messageCount: integer("message_count").notNull().default(0),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    createdAtMs: integer("created_at_ms").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] }), index("sessions_updated").on(t.tenantId, t.updatedAtMs)],
);

/**
 * Transcript messages, keyed by transcript id (`sessions.session_id`). `content` is the
 * display form clients read (`[{type:"text",text}, {type:"toolCall",...}]`); `context` is
 * what the model is sent on later turns (AI SDK model messages), when it differs.
 * Compaction hides older rows from the model (`compacted_at_ms`) without deleting them.
 */
export const sessionMessages = sqliteTable(
  "session_messages",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    sessionId: text("session_id").notNull(),
    seq: integer("seq").notNull(),
    role: text("role", { enum: ["user", "assistant", "summary"] }).notNull(),
    content: text("content").notNull(),
    context: text("context"),
    runId: text("run_id"),
    model: text("model"),
    stopReason: text("stop_reason"),
    errorMessage: text("error_message"),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    createdAtMs: integer("created_at_ms").notNull(),
    compactedAtMs: integer("compacted_at_ms"),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.sessionId, t.seq] })],
);

/** Transcripts set aside by `sessions.reset`: still in session_messages under their old id. */
export const sessionArchives = sqliteTable(
  "session_archives",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    sessionKey: text("session_key").notNull(),
    sessionId: text("session_id").notNull(),
    reason: text("reason").notNull(),
    messageCount: integer("message_count").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    archivedAtMs: integer("archived_at_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.sessionId] }), index("session_archives_key").on(t.tenantId, t.sessionKey)],
);

/**
 * Cron jobs (wire-protocol.md §7). `schedule`, `payload` and `delivery` are JSON in the
 * ArgentOS shapes; `next_run_at_ms` is kept current so due work is one indexed lookup.
 * `running_at_ms` marks a claimed run: a run is claimed once per due time.
 */
export const cronJobs = sqliteTable(
  "cron_jobs",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    id: text("id").notNull(),
    agentId: text("agent_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    deleteAfterRun: integer("delete_after_run", { mode: "boolean" }).notNull().default(false),
    schedule: text("schedule").notNull(),
    sessionTarget: text("session_target", { enum: ["main", "isolated"] }).notNull(),
    wakeMode: text("wake_mode", { enum: ["now", "next-heartbeat"] }).notNull(),
    payload: text("payload").notNull(),
    delivery: text("delivery"),
    nextRunAtMs: integer("next_run_at_ms"),
    runningAtMs: integer("running_at_ms"),
    lastRunAtMs: integer("last_run_at_ms"),
    lastStatus: text("last_status"),
    lastError: text("last_error"),
    lastDurationMs: integer("last_duration_ms"),
    createdAtMs: integer("created_at_ms").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index("cron_jobs_next_run").on(t.tenantId, t.nextRunAtMs)],
);

/** One row per run of a job (kept: the newest few per job), for `cron.runs`. */
export const cronRuns = sqliteTable(
  "cron_runs",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    id: text("id").notNull(),
    jobId: text("job_id").notNull(),
    trigger: text("trigger", { enum: ["due", "force"] }).notNull(),
    status: text("status", { enum: ["ok", "error", "skipped"] }).notNull(),
    error: text("error"),
    summary: text("summary"),
    sessionKey: text("session_key"),
    runAtMs: integer("run_at_ms").notNull(),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index("cron_runs_job").on(t.tenantId, t.jobId, t.runAtMs)],
);

/**
 * The agent's task list, worked by the execution worker. `evidence` is a JSON list of
 * `{atMs, note, by}`: a task counts as progressed only when evidence was recorded.
 */
export const tasks = sqliteTable(
  "tasks",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    id: text("id").notNull(),
    agentId: text("agent_id").notNull(),
    title: text("title").notNull(),
    details: text("details"),
    status: text("status", { enum: ["pending", "in_progress", "blocked", "done"] }).notNull(),
    priority: text("priority", { enum: ["low", "normal", "high", "urgent"] }).notNull(),
    evidence: text("evidence").notNull().default("[]"),
    /** Worker attempts in a row that recorded no evidence. */
    noProgressAttempts: integer("no_progress_attempts").notNull().default(0),
    blockedReason: text("blocked_reason"),
    createdBy: text("created_by").notNull(),
    createdAtMs: integer("created_at_ms").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index("tasks_agent_status").on(t.tenantId, t.agentId, t.status)],
);

/**
 * When each tenant next has scheduled work (jobs, heartbeats, the worker, contemplation),
 * written by its Durable Object. The minute sweep reads only the due rows, so its cost grows
 * with the work that is due, not with the number of tenants or jobs.
 */
export const tenantWakeups = sqliteTable(
  "tenant_wakeups",
  {
    tenantId: text("tenant_id")
      .primaryKey()
      .references(() => tenants.id),
    nextWakeAtMs: integer("next_wake_at_ms").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  (t) => [index("tenant_wakeups_due").on(t.nextWakeAtMs, t.tenantId)],
);
