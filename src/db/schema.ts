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
