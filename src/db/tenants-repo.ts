import { asc, eq } from "drizzle-orm";
import type { Database } from "./client";
import { tenants } from "./schema";

export type TenantRow = typeof tenants.$inferSelect;

export function tenantsRepo(db: Database) {
  return {
    get: (id: string) => db.select().from(tenants).where(eq(tenants.id, id)).get(),

    list: () => db.select().from(tenants).orderBy(asc(tenants.id)).all(),

    /** Returns false when the id is taken. */
    async create(id: string, tokenHash: string, nowMs: number): Promise<boolean> {
      const rows = await db
        .insert(tenants)
        .values({ id, tokenHash, status: "active", createdAtMs: nowMs, updatedAtMs: nowMs })
        .onConflictDoNothing()
        .returning({ id: tenants.id });
      return rows.length > 0;
    },

    /** Makes the row exist and carry this token hash (the bootstrap tenant of local mode). */
    upsertToken: (id: string, tokenHash: string, nowMs: number) =>
      db
        .insert(tenants)
        .values({ id, tokenHash, status: "active", createdAtMs: nowMs, updatedAtMs: nowMs })
        .onConflictDoUpdate({ target: tenants.id, set: { tokenHash, updatedAtMs: nowMs } })
        .run(),

    async setToken(id: string, tokenHash: string, nowMs: number): Promise<boolean> {
      const rows = await db
        .update(tenants)
        .set({ tokenHash, updatedAtMs: nowMs })
        .where(eq(tenants.id, id))
        .returning({ id: tenants.id });
      return rows.length > 0;
    },

    async setStatus(id: string, status: "active" | "disabled", nowMs: number): Promise<boolean> {
      const rows = await db
        .update(tenants)
        .set({ status, updatedAtMs: nowMs })
        .where(eq(tenants.id, id))
        .returning({ id: tenants.id });
      return rows.length > 0;
    },
  };
}
