import { z } from "zod";
import { parseAtTime, resolveAtTime } from "./at-time";
import { compileCron, cronProblem, cronRunAfter } from "./cron";
import { DEFAULT_ZONE, isTimeZone } from "./zone";

export { durationToMs } from "../config/duration";

/**
 * Schedules of cron jobs (ArgentOS / OpenClaw format) and the pure time math on them. Nothing
 * here reads the clock: every "now" is passed in, so runs are reproducible and testable.
 */
export type Schedule =
  | { kind: "at"; at?: string; atMs?: number }
  | { kind: "every"; everyMs: number; anchorMs?: number }
  | { kind: "cron"; expr: string; tz?: string };

/** A schedule that cannot produce a run. The message is user-facing and names the field. */
export class ScheduleError extends Error {
  override name = "ScheduleError";
}

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;
const MAX_EVERY_MS = 366 * DAY_MS;
const MAX_EPOCH_MS = 8.64e15; // the last instant a JS Date can hold

const EpochMs = z
  .int({ error: "expected epoch milliseconds (an integer)" })
  .min(0, "expected epoch milliseconds (>= 0)")
  .max(MAX_EPOCH_MS, "is beyond the last representable date");

const TimeZone = z
  .string()
  .max(64)
  .superRefine((tz, ctx) => {
    if (!isTimeZone(tz)) ctx.addIssue({ code: "custom", message: zoneMessage(tz) });
  });

const AT_SYNTAX = 'expected an ISO 8601 date-time such as "2026-12-01T06:00:00Z" or a wall-clock time "HH:MM"';

const AtSchedule = z
  .strictObject({ kind: z.literal("at"), at: z.string().max(64).optional(), atMs: EpochMs.optional() })
  .superRefine((s, ctx) => {
    if (s.at === undefined && s.atMs === undefined) {
      ctx.addIssue({ code: "custom", message: "expected at (date-time or HH:MM) or atMs (epoch ms)" });
      return;
    }
    if (s.at === undefined) return;
    const at = parseAtTime(s.at);
    if (!at) ctx.addIssue({ code: "custom", path: ["at"], message: `${AT_SYNTAX}, got ${JSON.stringify(s.at)}` });
    // Both are stored after normalizeSchedule; from a client they must agree, or which one wins is a guess.
    else if (s.atMs !== undefined && (at.type !== "instant" || at.ms !== s.atMs)) {
      ctx.addIssue({ code: "custom", path: ["atMs"], message: "does not match at; send only one of at and atMs" });
    }
  });

const EverySchedule = z.strictObject({
  kind: z.literal("every"),
  everyMs: z
    .int({ error: "expected an integer number of milliseconds" })
    .min(SECOND_MS, "must be at least 1000 (1s)")
    .max(MAX_EVERY_MS, `must be at most ${MAX_EVERY_MS} (366 days)`),
  anchorMs: EpochMs.optional(),
});

const CronSchedule = z.strictObject({
  kind: z.literal("cron"),
  expr: z
    .string()
    .max(200)
    .superRefine((expr, ctx) => {
      const problem = cronProblem(expr);
      if (problem) ctx.addIssue({ code: "custom", message: `invalid cron expression ${JSON.stringify(expr)}: ${problem}` });
    }),
  tz: TimeZone.optional(),
});

/** Static validation only (shape, ranges, syntax, zone names); runs are checked by normalizeSchedule. */
export const ScheduleSchema: z.ZodType<Schedule> = z.discriminatedUnion("kind", [AtSchedule, EverySchedule, CronSchedule], {
  error: (issue) => (isPlainObject(issue.input) ? 'expected kind "at", "every" or "cron"' : "expected a schedule object"),
});

/**
 * Validates and returns the schedule to store. "at" always comes back as both `at` (the instant
 * in UTC ISO form) and `atMs`, resolved once against `nowMs`, so a stored "06:00" cannot drift.
 */
export function normalizeSchedule(s: Schedule, ctx: { nowMs: number; timezone?: string }): Schedule {
  const schedule = parseSchedule(s);
  if (schedule.kind === "at") {
    const atMs = resolveAt(schedule, ctx.nowMs, ctx.timezone);
    if (atMs < ctx.nowMs) throw new ScheduleError(`${atField(schedule)}: ${atLabel(schedule)} is in the past`);
    return { kind: "at", at: new Date(atMs).toISOString(), atMs };
  }
  if (schedule.kind === "cron" && cronRunAfter(cronJob(schedule, ctx.timezone), ctx.nowMs) === undefined) {
    throw new ScheduleError(`schedule.expr: cron expression ${JSON.stringify(schedule.expr)} never runs again`);
  }
  return schedule;
}

/** The next run strictly after `afterMs`; undefined once the schedule is exhausted. */
export function nextRunAfter(s: Schedule, afterMs: number, ctx: { timezone?: string; createdAtMs: number }): number | undefined {
  const schedule = parseSchedule(s);
  switch (schedule.kind) {
    case "at": {
      // A stored "at" is normalised; a raw "HH:MM" means the occurrence after the job was created.
      const atMs = resolveAt(schedule, ctx.createdAtMs, ctx.timezone);
      return atMs > afterMs ? atMs : undefined;
    }
    case "every":
      return everyRunAfter(schedule.everyMs, schedule.anchorMs ?? ctx.createdAtMs, afterMs);
    case "cron":
      return cronRunAfter(cronJob(schedule, ctx.timezone), afterMs);
  }
}

/** The first run of a new job, at or after `nowMs`. */
export function firstRun(s: Schedule, ctx: { nowMs: number; timezone?: string; createdAtMs: number }): number | undefined {
  const schedule = parseSchedule(s);
  switch (schedule.kind) {
    case "at": {
      const atMs = resolveAt(schedule, ctx.nowMs, ctx.timezone);
      return atMs >= ctx.nowMs ? atMs : undefined;
    }
    case "every":
      // Unanchored intervals start one interval from now rather than firing on creation.
      if (schedule.anchorMs === undefined) return ctx.nowMs + schedule.everyMs;
      return everyRunAfter(schedule.everyMs, schedule.anchorMs, ctx.nowMs - 1);
    case "cron":
      return cronRunAfter(cronJob(schedule, ctx.timezone), ctx.nowMs - 1);
  }
}

/** One line for UIs: "every 30m", "cron 0 6 * * * (Europe/Berlin)", "at 2026-11-26T05:00:00.000Z". */
export function describeSchedule(s: Schedule): string {
  switch (s.kind) {
    case "at":
      return `at ${s.at ?? (s.atMs === undefined ? "?" : new Date(s.atMs).toISOString())}`;
    case "every":
      return `every ${formatMs(s.everyMs)}${s.anchorMs === undefined ? "" : ` from ${new Date(s.anchorMs).toISOString()}`}`;
    case "cron":
      return `cron ${s.expr}${s.tz ? ` (${s.tz})` : ""}`;
  }
}

function parseSchedule(s: Schedule): Schedule {
  const result = ScheduleSchema.safeParse(s);
  if (!result.success) throw new ScheduleError(describeIssues(result.error.issues));
  return result.data;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const where = ["schedule", ...issue.path.map(String)].join(".");
      if (issue.code === "unrecognized_keys") return issue.keys.map((k) => `unknown property "${where}.${k}"`).join(", ");
      return `${where}: ${issue.message}`;
    })
    .join("; ");
}

/**
 * Slots are anchor + k*everyMs for k >= 0. Jumping straight to the first slot after `afterMs`
 * is what makes catch-up run once after downtime instead of once per missed slot.
 */
function everyRunAfter(everyMs: number, anchorMs: number, afterMs: number): number {
  if (anchorMs > afterMs) return anchorMs;
  return anchorMs + (Math.floor((afterMs - anchorMs) / everyMs) + 1) * everyMs;
}

/** A cron schedule runs in its own zone, else the job's, else UTC. */
function cronJob(s: Extract<Schedule, { kind: "cron" }>, jobZone: string | undefined) {
  const zone = s.tz ?? checkedZone(jobZone);
  try {
    return compileCron(s.expr, zone);
  } catch (err) {
    // The schema parsed the expression already; this only guards against croner changing its mind.
    throw new ScheduleError(`schedule.expr: invalid cron expression ${JSON.stringify(s.expr)}: ${String(err)}`);
  }
}

function resolveAt(s: Extract<Schedule, { kind: "at" }>, refMs: number, jobZone: string | undefined): number {
  if (s.atMs !== undefined) return s.atMs;
  const at = parseAtTime(s.at!)!; // the schema guarantees one of the two, and that `at` parses
  const atMs = resolveAtTime(at, refMs, at.type === "instant" ? DEFAULT_ZONE : checkedZone(jobZone));
  if (atMs === undefined) throw new ScheduleError(`schedule.at: ${JSON.stringify(s.at)} does not exist in ${jobZone ?? DEFAULT_ZONE}`);
  return atMs;
}

/** The job's zone is only checked when a schedule needs it, so a bad zone does not break "every" jobs. */
function checkedZone(jobZone: string | undefined): string {
  if (jobZone === undefined) return DEFAULT_ZONE;
  if (!isTimeZone(jobZone)) throw new ScheduleError(`timezone: ${zoneMessage(jobZone)}`);
  return jobZone;
}

const isPlainObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);

const zoneMessage = (tz: string) => `invalid time zone ${JSON.stringify(tz)}, expected an IANA name such as Europe/Berlin`;

const atField = (s: Extract<Schedule, { kind: "at" }>) => (s.at === undefined ? "schedule.atMs" : "schedule.at");

const atLabel = (s: Extract<Schedule, { kind: "at" }>) =>
  s.at === undefined ? new Date(s.atMs!).toISOString() : JSON.stringify(s.at);

const UNITS: [string, number][] = [["d", DAY_MS], ["h", 3_600_000], ["m", 60_000], ["s", SECOND_MS], ["ms", 1]];

/** Inverse of durationToMs, largest units first: 5_400_000 → "1h30m". */
function formatMs(ms: number): string {
  let rest = ms;
  let out = "";
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || "0s";
}
