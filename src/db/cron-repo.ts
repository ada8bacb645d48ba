import { and, asc, desc, eq, isNotNull, isNull, lte, min, notInArray, sql } from "drizzle-orm";
import type { Database } from "./client";
import { cronJobs, cronRuns } from "./schema";

export type CronJobRow = typeof cronJobs.$inferSelect;
export type CronRunRow = typeof cronRuns.$inferSelect;

/** Run history kept per job. */
export const RUNS_KEPT_PER_JOB = 50;

export function cronRepo(db: Database) {
  const byId = (tenantId: string, id: string) => and(eq(cronJobs.tenantId, tenantId), eq(cronJobs.id, id));
  return {
    list: (tenantId: string, includeDisabled: boolean): Promise<CronJobRow[]> =>
      db
        .select()
        .from(cronJobs)
        .where(and(eq(cronJobs.tenantId, tenantId), includeDisabled ? undefined : eq(cronJobs.enabled, true)))
        .orderBy(asc(cronJobs.createdAtMs))
        .all(),

    get: (tenantId: string, id: string): Promise<CronJobRow | undefined> => db.select().from(cronJobs).where(byId(tenantId, id)).get(),

    insert: (row: CronJobRow) => db.insert(cronJobs).values(row).run(),

    async update(tenantId: string, id: string, set: Partial<CronJobRow>): Promise<CronJobRow | undefined> {
      const rows = await db.update(cronJobs).set(set).where(byId(tenantId, id)).returning();
      return rows[0];
    },

    async remove(tenantId: string, id: string): Promise<boolean> {
      const [removed] = await db.batch([
        db.delete(cronJobs).where(byId(tenantId, id)).returning({ id: cronJobs.id }),
        db.delete(cronRuns).where(and(eq(cronRuns.tenantId, tenantId), eq(cronRuns.jobId, id))),
      ]);
      return removed.length > 0;
    },

    /** Enabled jobs due at `nowMs` that nobody is running. */
    due: (tenantId: string, nowMs: number): Promise<CronJobRow[]> =>
      db
        .select()
        .from(cronJobs)
        .where(and(eq(cronJobs.tenantId, tenantId), eq(cronJobs.enabled, true), lte(cronJobs.nextRunAtMs, nowMs), isNull(cronJobs.runningAtMs)))
        .orderBy(asc(cronJobs.nextRunAtMs))
        .all(),

    /** Jobs marked as running (a live run, or one cut off by a restart). */
    running: (tenantId: string): Promise<CronJobRow[]> =>
      db.select().from(cronJobs).where(and(eq(cronJobs.tenantId, tenantId), isNotNull(cronJobs.runningAtMs))).all(),

    /**
     * Claims the run due at `dueAtMs`: succeeds once per due time, however many wake-ups (the
     * sweep, the alarm, a restarted instance) try. Moves `next_run_at_ms` on at the same time.
     */
    async claim(tenantId: string, id: string, dueAtMs: number | null, nowMs: number, nextRunAtMs: number | null): Promise<boolean> {
      const rows = await db
        .update(cronJobs)
        .set({ runningAtMs: nowMs, nextRunAtMs, updatedAtMs: nowMs })
        .where(
          and(
            byId(tenantId, id),
            isNull(cronJobs.runningAtMs),
            dueAtMs === null ? isNull(cronJobs.nextRunAtMs) : eq(cronJobs.nextRunAtMs, dueAtMs),
          ),
        )
        .returning({ id: cronJobs.id });
      return rows.length > 0;
    },

    /** The earliest next run of the tenant's enabled jobs. */
    async nextDue(tenantId: string): Promise<number | undefined> {
      const row = await db
        .select({ next: min(cronJobs.nextRunAtMs) })
        .from(cronJobs)
        .where(and(eq(cronJobs.tenantId, tenantId), eq(cronJobs.enabled, true), isNull(cronJobs.runningAtMs)))
        .get();
      return row?.next ?? undefined;
    },

    /** Records a finished run and keeps the newest RUNS_KEPT_PER_JOB of the job. */
    async addRun(run: CronRunRow): Promise<void> {
      const newest = db
        .select({ id: cronRuns.id })
        .from(cronRuns)
        .where(and(eq(cronRuns.tenantId, run.tenantId), eq(cronRuns.jobId, run.jobId)))
        .orderBy(desc(cronRuns.runAtMs))
        .limit(RUNS_KEPT_PER_JOB);
      await db.batch([
        db.insert(cronRuns).values(run),
        db.delete(cronRuns).where(and(eq(cronRuns.tenantId, run.tenantId), eq(cronRuns.jobId, run.jobId), notInArray(cronRuns.id, newest))),
      ]);
    },

    runs: (tenantId: string, jobId: string, limit: number): Promise<CronRunRow[]> =>
      db
        .select()
        .from(cronRuns)
        .where(and(eq(cronRuns.tenantId, tenantId), eq(cronRuns.jobId, jobId)))
        .orderBy(desc(cronRuns.runAtMs))
        .limit(limit)
        .all(),

    count: async (tenantId: string) =>
      (await db.select({ n: sql<number>`count(*)` }).from(cronJobs).where(eq(cronJobs.tenantId, tenantId)).get())?.n ?? 0,
  };
}
