import { and, asc, eq, inArray } from "drizzle-orm";
import type { Database } from "./client";
import { tasks } from "./schema";

export type TaskRow = typeof tasks.$inferSelect;
export type TaskStatus = TaskRow["status"];
export type TaskPriority = TaskRow["priority"];

export function tasksRepo(db: Database) {
  const byId = (tenantId: string, id: string) => and(eq(tasks.tenantId, tenantId), eq(tasks.id, id));
  return {
    list: (tenantId: string, filter: { agentId?: string; statuses?: TaskStatus[] }): Promise<TaskRow[]> =>
      db
        .select()
        .from(tasks)
        .where(
          and(
            eq(tasks.tenantId, tenantId),
            filter.agentId ? eq(tasks.agentId, filter.agentId) : undefined,
            filter.statuses ? inArray(tasks.status, filter.statuses) : undefined,
          ),
        )
        .orderBy(asc(tasks.createdAtMs))
        .all(),

    get: (tenantId: string, id: string): Promise<TaskRow | undefined> => db.select().from(tasks).where(byId(tenantId, id)).get(),

    insert: (row: TaskRow) => db.insert(tasks).values(row).run(),

    async update(tenantId: string, id: string, set: Partial<TaskRow>): Promise<TaskRow | undefined> {
      const rows = await db.update(tasks).set(set).where(byId(tenantId, id)).returning();
      return rows[0];
    },
  };
}
