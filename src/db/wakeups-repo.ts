import { and, asc, eq, gt, lte, or } from "drizzle-orm";
import type { Database } from "./client";
import { tenantWakeups, tenants } from "./schema";

export interface DueTenant {
  tenantId: string;
  nextWakeAtMs: number;
}

export function wakeupsRepo(db: Database) {
  return {
    /**
     * Active tenants with scheduled work due by `byMs`, in (time, tenant) order, starting after
     * `after` (the last row of the previous page): one indexed range read per page.
     */
    due: (byMs: number, limit: number, after?: DueTenant): Promise<DueTenant[]> =>
      db
        .select({ tenantId: tenantWakeups.tenantId, nextWakeAtMs: tenantWakeups.nextWakeAtMs })
        .from(tenantWakeups)
        .innerJoin(tenants, eq(tenants.id, tenantWakeups.tenantId))
        .where(
          and(
            lte(tenantWakeups.nextWakeAtMs, byMs),
            after
              ? or(
                  gt(tenantWakeups.nextWakeAtMs, after.nextWakeAtMs),
                  and(eq(tenantWakeups.nextWakeAtMs, after.nextWakeAtMs), gt(tenantWakeups.tenantId, after.tenantId)),
                )
              : undefined,
            eq(tenants.status, "active"),
          ),
        )
        .orderBy(asc(tenantWakeups.nextWakeAtMs), asc(tenantWakeups.tenantId))
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
