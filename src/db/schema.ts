import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
