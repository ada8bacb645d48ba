import { and, eq } from "drizzle-orm";
import type { Database } from "./client";
import { agentFiles } from "./schema";

export function agentFilesRepo(db: Database) {
  return {
    all: (tenantId: string, agentId: string) =>
      db
        .select({ name: agentFiles.name, content: agentFiles.content, updatedAtMs: agentFiles.updatedAtMs })
        .from(agentFiles)
        .where(and(eq(agentFiles.tenantId, tenantId), eq(agentFiles.agentId, agentId)))
        .all(),

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
