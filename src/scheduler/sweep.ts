import { openDatabase } from "../db/client";
import { wakeupsRepo, type DueTenant } from "../db/wakeups-repo";
import type { Env } from "../env";

/** The Cron Trigger runs every minute: wake what is due before the next sweep. */
export const SWEEP_LOOKAHEAD_MS = 60_000;
const PAGE = 1000;
const PARALLEL_WAKES = 50;
/** Stay well inside a scheduled handler's time. */
const SWEEP_BUDGET_MS = 20_000;

export interface SweepReport {
  /** Due tenants found; those not woken within the time budget are `due - woken - failed`. */
  due: number;
  woken: number;
  failed: number;
  /** D1 queries the sweep itself made (the woken Durable Objects make their own). */
  queries: number;
  durationMs: number;
}

/**
 * The minute sweep: one indexed read of `tenant_wakeups` for tenants with work due before the
 * next sweep, then a wake for each of those tenants' Durable Objects (which arm their alarm to
 * the second). Tenants with nothing due are never touched, so the cost follows the due work,
 * not the number of tenants or jobs.
 */
export async function sweepDueTenants(env: Env, scheduledTimeMs: number, { pageSize = PAGE } = {}): Promise<SweepReport> {
  const started = Date.now();
  const repo = wakeupsRepo(openDatabase(env.DB));
  const report: SweepReport = { due: 0, woken: 0, failed: 0, queries: 0, durationMs: 0 };
  let after: DueTenant | undefined;
  for (;;) {
    // Keyset paging: a woken tenant's row moves only once its alarm has run, so re-reading
    // from the start would return the same page again.
    const page = await repo.due(scheduledTimeMs + SWEEP_LOOKAHEAD_MS, pageSize, after);
    report.queries++;
    report.due += page.length;
    for (let i = 0; i < page.length; i += PARALLEL_WAKES) {
      if (Date.now() - started > SWEEP_BUDGET_MS) break; // the rest waits for the next sweep (or its own alarm)
      const batch = page.slice(i, i + PARALLEL_WAKES);
      const results = await Promise.allSettled(batch.map((r) => env.GATEWAY.getByName(r.tenantId).schedulerWake()));
      for (const r of results) {
        if (r.status === "fulfilled") report.woken++;
        else report.failed++;
      }
    }
    after = page.at(-1);
    if (page.length < pageSize || Date.now() - started > SWEEP_BUDGET_MS) break;
  }
  report.durationMs = Date.now() - started;
  return report;
}
