import { and, asc, eq, lte } from "drizzle-orm";
import type { Database } from "./client";
import { tenantWakeups, tenants } from "./schema";

export function wakeupsRepo(db: Database) {
  return {
    /** Active tenants with scheduled work due by `byMs`: one indexed range read. */
    due: (byMs: number, limit: number): Promise<{ tenantId: string; nextWakeAtMs: number }[]> =>
      db
        .select({ tenantId: tenantWakeups.tenantId, nextWakeAtMs: tenantWakeups.nextWakeAtMs })
        .from(tenantWakeups)
        .innerJoin(tenants, eq(tenants.id, tenantWakeups.tenantId))
        .where(and(lte(tenantWakeups.nextWakeAtMs, byMs), eq(tenants.status, "active")))
        .orderBy(asc(tenantWakeups.nextWakeAtMs))
        .limit(limit)
        .all(),

    /** Sets (or, with `undefined`, clears) when the tenant next has scheduled work. */
    set: (tenantId: string, nextWakeAtMs: number | undefined, nowMs: number) =>
      nextWakeAtMs === undefined
        ? db.delete(tenantWakeups).where(eq(tenantWakeups.tenantId, tenantId)).run()
        : db
            .insert(tenantWakeups)
            .values({ tenantId, nextWakeAtMs, updatedAtMs: nowMs })
            .onConflictDoUpdate({ target: tenantWakeups.tenantId, set: { nextWakeAtMs, updatedAtMs: nowMs } })
            .run(),
  };
}
