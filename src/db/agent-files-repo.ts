import { and, eq, sql } from "drizzle-orm";
import type { Database } from "./client";
import { agentFiles } from "./schema";

export interface AgentFileMeta {
  name: string;
  size: number;
  updatedAtMs: number;
}

export function agentFilesRepo(db: Database) {
  return {
    /** Sizes in bytes without reading the contents. */
    list: (tenantId: string, agentId: string): Promise<AgentFileMeta[]> =>
      db
        .select({
          name: agentFiles.name,
          size: sql<number>`length(CAST(${agentFiles.content} AS BLOB))`,
          updatedAtMs: agentFiles.updatedAtMs,
        })
        .from(agentFiles)
        .where(and(eq(agentFiles.tenantId, tenantId), eq(agentFiles.agentId, agentId)))
        .all(),

    get: (tenantId: string, agentId: string, name: string) =>
      db
        .select({ content: agentFiles.content, updatedAtMs: agentFiles.updatedAtMs })
        .from(agentFiles)
        .where(and(eq(agentFiles.tenantId, tenantId), eq(agentFiles.agentId, agentId), eq(agentFiles.name, name)))
        .get(),

    put: (tenantId: string, agentId: string, name: string, content: string, nowMs: number) =>
      db
        .insert(agentFiles)
        .values({ tenantId, agentId, name, content, updatedAtMs: nowMs })
        .onConflictDoUpdate({
          target: [agentFiles.tenantId, agentFiles.agentId, agentFiles.name],
          set: { content, updatedAtMs: nowMs },
        })
        .run(),
  };
}
