import { Cron } from "croner";

// Only classic 5-field cron or 6 fields with leading seconds; croner's 7th (year) field is not
// part of the OpenClaw format, so "auto" mode would accept expressions other gateways reject.
const MODE = "5-or-6-parts" as const;

/** Why `expr` is not a usable cron expression, or undefined when it parses. */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/).filter(Boolean);
  // croner's own count error mentions 7 fields, which this mode does not accept; say it plainly.
  if (!expr.trim().startsWith("@") && fields.length !== 5 && fields.length !== 6) {
    return `expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got ${fields.length}`;
  }
  try {
    new Cron(expr, { mode: MODE });
    return undefined;
  } catch (err) {
    return String(err instanceof Error ? err.message : err).replace(/^CronPattern:\s*/, "");
  }
}

/** A croner job without a callback: it only computes times and never starts a timer. */
export function compileCron(expr: string, timezone: string): Cron {
  return new Cron(expr, { mode: MODE, timezone });
}

/**
 * The first run strictly after `afterMs`, or undefined when the expression never fires again.
 * croner drops the milliseconds of the reference and answers strictly after that second, which
 * is already strictly after `afterMs`; the loop keeps that promise should croner ever differ.
 */
export function cronRunAfter(job: Cron, afterMs: number): number | undefined {
  let from = afterMs;
  for (let attempt = 0; attempt < 3; attempt++) {
    const next = job.nextRun(new Date(from))?.getTime();
    if (next === undefined || next > afterMs) return next;
    from = next + 1000;
  }
  return undefined;
}
