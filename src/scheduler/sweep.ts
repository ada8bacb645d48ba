import { openDatabase } from "../db/client";
import { wakeupsRepo } from "../db/wakeups-repo";
import type { Env } from "../env";

/** The Cron Trigger runs every minute: wake what is due before the next sweep. */
export const SWEEP_LOOKAHEAD_MS = 60_000;
const PAGE = 1000;
const PARALLEL_WAKES = 50;
/** Stay well inside a scheduled handler's time. */
const SWEEP_BUDGET_MS = 20_000;

export interface SweepReport {
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
export async function sweepDueTenants(env: Env, scheduledTimeMs: number): Promise<SweepReport> {
  const started = Date.now();
  const repo = wakeupsRepo(openDatabase(env.DB));
  const report: SweepReport = { due: 0, woken: 0, failed: 0, queries: 0, durationMs: 0 };
  const seen = new Set<string>();
  for (;;) {
    const page = (await repo.due(scheduledTimeMs + SWEEP_LOOKAHEAD_MS, PAGE)).filter((r) => !seen.has(r.tenantId));
    report.queries++;
    report.due += page.length;
    for (let i = 0; i < page.length; i += PARALLEL_WAKES) {
      const batch = page.slice(i, i + PARALLEL_WAKES);
      const results = await Promise.allSettled(batch.map((r) => env.GATEWAY.getByName(r.tenantId).schedulerWake()));
      for (const [j, r] of results.entries()) {
        seen.add(batch[j]!.tenantId);
        if (r.status === "fulfilled") report.woken++;
        else report.failed++;
      }
    }
    // A full page may mean more is due; a woken tenant has moved its row on, so read again.
    if (page.length < PAGE || Date.now() - started > SWEEP_BUDGET_MS) break;
  }
  report.durationMs = Date.now() - started;
  return report;
}
