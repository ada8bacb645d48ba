import { describe, expect, it } from "vitest";
import {
  describeSchedule,
  durationToMs,
  firstRun,
  nextRunAfter,
  normalizeSchedule,
  ScheduleError,
  ScheduleSchema,
  type Schedule,
} from "../../src/scheduler/schedule";

// Pure schedule math, run in workerd to prove croner's zone handling (through Intl) works there.
// Every "now" is explicit, nothing reads the real clock.

const ms = (iso: string) => Date.parse(iso);
const iso = (n: number | undefined) => (n === undefined ? undefined : new Date(n).toISOString());
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Consecutive runs after `fromIso`, as ISO strings. */
function runs(s: Schedule, fromIso: string, n: number, timezone?: string): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let after = ms(fromIso);
  for (let i = 0; i < n; i++) {
    const next = nextRunAfter(s, after, { timezone, createdAtMs: 0 });
    out.push(iso(next));
    if (next === undefined) break;
    after = next;
  }
  return out;
}

function errorOf(fn: () => unknown): ScheduleError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ScheduleError);
    return err as ScheduleError;
  }
  throw new Error("expected a ScheduleError");
}

describe("workerd time-zone support", () => {
  it("Intl knows IANA zones and their DST offsets", () => {
    const hour = (at: string, timeZone: string) =>
      new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(new Date(at));
    expect(hour("2026-01-15T05:00:00Z", "Europe/Berlin")).toBe("06");
    expect(hour("2026-07-15T04:00:00Z", "Europe/Berlin")).toBe("06");
    expect(hour("2026-07-15T10:00:00Z", "America/New_York")).toBe("06");
  });
});

describe("at: wall-clock HH:MM", () => {
  const cases: [zone: string | undefined, nowIso: string, expected: string][] = [
    // UTC (no job zone)
    [undefined, "2026-11-25T05:00:00Z", "2026-11-25T06:00:00.000Z"],
    [undefined, "2026-11-25T07:00:00Z", "2026-11-26T06:00:00.000Z"],
    // Europe/Berlin in November is UTC+1
    ["Europe/Berlin", "2026-11-25T04:00:00Z", "2026-11-25T05:00:00.000Z"],
    ["Europe/Berlin", "2026-11-25T06:00:00Z", "2026-11-26T05:00:00.000Z"],
    // Europe/Berlin in July is UTC+2
    ["Europe/Berlin", "2026-07-10T03:00:00Z", "2026-07-10T04:00:00.000Z"],
    // America/New_York in November is UTC-5; 03:00Z is still the previous local day
    ["America/New_York", "2026-11-25T03:00:00Z", "2026-11-25T11:00:00.000Z"],
    ["America/New_York", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00.000Z"],
    ["America/New_York", "2026-11-25T12:00:00Z", "2026-11-26T11:00:00.000Z"],
    // America/New_York in July is UTC-4
    ["America/New_York", "2026-07-10T11:00:00Z", "2026-07-11T10:00:00.000Z"],
  ];
  it.each(cases)("06:00 in %s at %s → %s", (timezone, nowIso, expected) => {
    const nowMs = ms(nowIso);
    const normalized = normalizeSchedule({ kind: "at", at: "06:00" }, { nowMs, timezone });
    expect(normalized).toEqual({ kind: "at", at: expected, atMs: ms(expected) });
    expect(iso(firstRun({ kind: "at", at: "06:00" }, { nowMs, timezone, createdAtMs: nowMs }))).toBe(expected);
  });

  it("is strictly after now: exactly 06:00 means tomorrow, a millisecond before means now", () => {
    const at: Schedule = { kind: "at", at: "06:00" };
    expect(normalizeSchedule(at, { nowMs: ms("2026-11-25T06:00:00Z") })).toMatchObject({ atMs: ms("2026-11-26T06:00:00Z") });
    expect(normalizeSchedule(at, { nowMs: ms("2026-11-25T05:59:59.999Z") })).toMatchObject({ atMs: ms("2026-11-25T06:00:00Z") });
  });

  it("accepts HH:MM:SS", () => {
    const s = normalizeSchedule({ kind: "at", at: "06:00:30" }, { nowMs: ms("2026-11-25T05:00:00Z") });
    expect(s).toMatchObject({ at: "2026-11-25T06:00:30.000Z" });
  });

  it("DST: a nonexistent wall time runs when the clock jumps; a repeated one at its first occurrence", () => {
    // 2026-03-29 Europe/Berlin: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist.
    const gap = normalizeSchedule({ kind: "at", at: "02:30" }, { nowMs: ms("2026-03-28T12:00:00Z"), timezone: "Europe/Berlin" });
    expect(gap.kind === "at" && gap.at).toBe("2026-03-29T01:00:00.000Z"); // 03:00 CEST
    // 2026-10-25 Europe/Berlin: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice.
    const twice = normalizeSchedule({ kind: "at", at: "02:30" }, { nowMs: ms("2026-10-24T12:00:00Z"), timezone: "Europe/Berlin" });
    expect(twice.kind === "at" && twice.at).toBe("2026-10-25T00:30:00.000Z"); // 02:30 CEST, the first one
  });

  it("a raw HH:MM in nextRunAfter resolves against the job's creation, so it never repeats", () => {
    const s: Schedule = { kind: "at", at: "06:00" };
    const createdAtMs = ms("2026-11-25T05:00:00Z");
    expect(iso(nextRunAfter(s, createdAtMs, { createdAtMs }))).toBe("2026-11-25T06:00:00.000Z");
    expect(nextRunAfter(s, ms("2026-11-25T06:00:00Z"), { createdAtMs })).toBeUndefined();
  });
});

describe("at: ISO date-time and atMs", () => {
  const nowMs = ms("2026-11-25T00:00:00Z");

  it("with Z or an offset it is an absolute instant", () => {
    expect(normalizeSchedule({ kind: "at", at: "2026-12-01T06:00:00Z" }, { nowMs, timezone: "Asia/Tokyo" })).toEqual({
      kind: "at",
      at: "2026-12-01T06:00:00.000Z",
      atMs: ms("2026-12-01T06:00:00Z"),
    });
    expect(normalizeSchedule({ kind: "at", at: "2026-12-01T06:00:00.250+02:00" }, { nowMs })).toMatchObject({
      at: "2026-12-01T04:00:00.250Z",
    });
    expect(normalizeSchedule({ kind: "at", at: "2026-12-01T06:00-05:30" }, { nowMs })).toMatchObject({ at: "2026-12-01T11:30:00.000Z" });
  });

  it("without an offset it is wall-clock time in the job's zone", () => {
    expect(normalizeSchedule({ kind: "at", at: "2026-12-01T06:00" }, { nowMs, timezone: "America/New_York" })).toMatchObject({
      at: "2026-12-01T11:00:00.000Z",
    });
    expect(normalizeSchedule({ kind: "at", at: "2026-12-01T06:00" }, { nowMs })).toMatchObject({ at: "2026-12-01T06:00:00.000Z" });
    // Same DST rule as HH:MM: 02:30 on 2026-03-29 does not exist in Berlin and becomes 03:00 CEST.
    const gap = normalizeSchedule({ kind: "at", at: "2026-03-29T02:30:00" }, { nowMs: ms("2026-03-01T00:00:00Z"), timezone: "Europe/Berlin" });
    expect(gap).toMatchObject({ at: "2026-03-29T01:00:00.000Z" });
  });

  it("atMs is accepted and normalised to both fields", () => {
    const atMs = ms("2026-11-26T05:00:00Z");
    const s = normalizeSchedule({ kind: "at", atMs }, { nowMs });
    expect(s).toEqual({ kind: "at", at: "2026-11-26T05:00:00.000Z", atMs });
    // The normalised form validates again (both fields agree) and is idempotent.
    expect(normalizeSchedule(s, { nowMs })).toEqual(s);
  });

  it("runs once: at atMs, then never again", () => {
    const atMs = ms("2026-11-26T05:00:00Z");
    const s: Schedule = { kind: "at", at: "2026-11-26T05:00:00.000Z", atMs };
    const ctx = { createdAtMs: nowMs };
    expect(nextRunAfter(s, nowMs, ctx)).toBe(atMs);
    expect(nextRunAfter(s, atMs - 1, ctx)).toBe(atMs);
    expect(nextRunAfter(s, atMs, ctx)).toBeUndefined();
    expect(firstRun(s, { ...ctx, nowMs: atMs })).toBe(atMs);
    expect(firstRun(s, { ...ctx, nowMs: atMs + 1 })).toBeUndefined();
  });

  it("in the past is rejected", () => {
    expect(errorOf(() => normalizeSchedule({ kind: "at", at: "2026-11-24T06:00:00Z" }, { nowMs })).message).toBe(
      'schedule.at: "2026-11-24T06:00:00Z" is in the past',
    );
    expect(errorOf(() => normalizeSchedule({ kind: "at", atMs: nowMs - 1 }, { nowMs })).message).toBe(
      "schedule.atMs: 2026-11-24T23:59:59.999Z is in the past",
    );
    expect(normalizeSchedule({ kind: "at", atMs: nowMs }, { nowMs })).toMatchObject({ atMs: nowMs });
  });

  it("bad syntax, impossible dates and disagreeing fields are rejected", () => {
    const bad = ["tomorrow", "25:00", "6:00", "2026-02-30T06:00:00Z", "2026-12-01 06:00", "2026-12-01T06:00:00+2", "2026-12-01"];
    for (const at of bad) {
      expect(errorOf(() => normalizeSchedule({ kind: "at", at }, { nowMs })).message).toBe(
        `schedule.at: expected an ISO 8601 date-time such as "2026-12-01T06:00:00Z" or a wall-clock time "HH:MM", got ${JSON.stringify(at)}`,
      );
    }
    expect(errorOf(() => normalizeSchedule({ kind: "at" }, { nowMs })).message).toBe(
      "schedule: expected at (date-time or HH:MM) or atMs (epoch ms)",
    );
    expect(errorOf(() => normalizeSchedule({ kind: "at", at: "06:00", atMs: nowMs + DAY }, { nowMs })).message).toBe(
      "schedule.atMs: does not match at; send only one of at and atMs",
    );
  });
});

describe("every", () => {
  const created = ms("2026-11-25T10:00:00Z");
  const every30m: Schedule = { kind: "every", everyMs: 30 * MIN };

  it("without anchor: first run one interval from now, then aligned to creation", () => {
    expect(firstRun(every30m, { nowMs: created, createdAtMs: created })).toBe(created + 30 * MIN);
    expect(nextRunAfter(every30m, created, { createdAtMs: created })).toBe(created + 30 * MIN);
    expect(nextRunAfter(every30m, created + 30 * MIN, { createdAtMs: created })).toBe(created + 60 * MIN);
    expect(nextRunAfter(every30m, created + 31 * MIN, { createdAtMs: created })).toBe(created + 60 * MIN);
    // Before creation the first slot is the creation itself.
    expect(nextRunAfter(every30m, created - HOUR, { createdAtMs: created })).toBe(created);
  });

  it("with anchor: slots are anchor + k*everyMs, whatever the creation time", () => {
    const anchorMs = ms("2026-11-25T00:05:00Z");
    const s: Schedule = { kind: "every", everyMs: HOUR, anchorMs };
    const ctx = { createdAtMs: created };
    expect(iso(nextRunAfter(s, ms("2026-11-25T10:20:00Z"), ctx))).toBe("2026-11-25T11:05:00.000Z");
    expect(iso(nextRunAfter(s, ms("2026-11-25T11:05:00Z"), ctx))).toBe("2026-11-25T12:05:00.000Z");
    expect(iso(firstRun(s, { ...ctx, nowMs: ms("2026-11-25T11:05:00Z") }))).toBe("2026-11-25T11:05:00.000Z"); // at or after
    expect(iso(firstRun(s, { ...ctx, nowMs: ms("2026-11-25T11:05:00.001Z") }))).toBe("2026-11-25T12:05:00.000Z");
    // An anchor in the future is the first run.
    const later: Schedule = { kind: "every", everyMs: HOUR, anchorMs: ms("2026-12-01T00:00:00Z") };
    expect(iso(firstRun(later, { ...ctx, nowMs: created }))).toBe("2026-12-01T00:00:00.000Z");
  });

  it("catch-up after downtime: the next run is one slot after now, not every missed slot", () => {
    const ctx = { createdAtMs: created };
    const lastRun = created + 30 * MIN;
    const nowMs = lastRun + 10 * DAY + 7 * MIN; // 2026-12-05T10:37Z, 480 slots were missed
    const next = nextRunAfter(every30m, nowMs, ctx)!;
    expect(next).toBeGreaterThan(nowMs);
    expect(next - nowMs).toBeLessThanOrEqual(30 * MIN);
    expect(iso(next)).toBe("2026-12-05T11:00:00.000Z");
    expect(nextRunAfter(every30m, next, ctx)).toBe(next + 30 * MIN);
  });

  it("normalizeSchedule keeps it as is", () => {
    expect(normalizeSchedule({ kind: "every", everyMs: 45_000, anchorMs: 0 }, { nowMs: created })).toEqual({
      kind: "every",
      everyMs: 45_000,
      anchorMs: 0,
    });
  });

  it("everyMs out of range or not an integer is rejected", () => {
    const nowMs = created;
    expect(errorOf(() => normalizeSchedule({ kind: "every", everyMs: 999 }, { nowMs })).message).toBe(
      "schedule.everyMs: must be at least 1000 (1s)",
    );
    expect(errorOf(() => normalizeSchedule({ kind: "every", everyMs: 367 * DAY }, { nowMs })).message).toBe(
      "schedule.everyMs: must be at most 31622400000 (366 days)",
    );
    expect(errorOf(() => normalizeSchedule({ kind: "every", everyMs: 1500.5 }, { nowMs })).message).toBe(
      "schedule.everyMs: expected an integer number of milliseconds",
    );
    expect(errorOf(() => nextRunAfter({ kind: "every", everyMs: 0 }, nowMs, { createdAtMs: nowMs })).message).toBe(
      "schedule.everyMs: must be at least 1000 (1s)",
    );
  });
});

describe("cron", () => {
  it("evaluates in UTC by default, in the job's zone, or in its own tz", () => {
    const s: Schedule = { kind: "cron", expr: "0 6 * * *" };
    expect(runs(s, "2026-11-25T07:00:00Z", 1)).toEqual(["2026-11-26T06:00:00.000Z"]);
    expect(runs(s, "2026-11-25T07:00:00Z", 1, "America/New_York")).toEqual(["2026-11-25T11:00:00.000Z"]);
    expect(runs({ ...s, tz: "Europe/Berlin" }, "2026-11-25T07:00:00Z", 1, "America/New_York")).toEqual(["2026-11-26T05:00:00.000Z"]);
  });

  it("0 6 * * * in Europe/Berlin follows DST: 05:00Z in winter, 04:00Z in summer", () => {
    const s: Schedule = { kind: "cron", expr: "0 6 * * *", tz: "Europe/Berlin" };
    expect(runs(s, "2026-03-27T12:00:00Z", 3)).toEqual(["2026-03-28T05:00:00.000Z", "2026-03-29T04:00:00.000Z", "2026-03-30T04:00:00.000Z"]);
    expect(runs(s, "2026-10-23T12:00:00Z", 3)).toEqual(["2026-10-24T04:00:00.000Z", "2026-10-25T05:00:00.000Z", "2026-10-26T05:00:00.000Z"]);
  });

  it("30 2 * * * in Europe/Berlin: the missing 02:30 runs at 03:00 CEST, the repeated 02:30 once", () => {
    const s: Schedule = { kind: "cron", expr: "30 2 * * *", tz: "Europe/Berlin" };
    // croner treats single-value times as fixed-time jobs (like Vixie cron): in the spring-forward
    // gap it runs when the clock jumps, 03:00 CEST = 01:00Z, not skipped and not at 03:30.
    expect(runs(s, "2026-03-28T12:00:00Z", 2)).toEqual(["2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"]);
    // On fall-back a fixed-time job runs once, at the first (CEST) 02:30.
    expect(runs(s, "2026-10-24T12:00:00Z", 2)).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
  });

  it("interval-style expressions skip the DST gap and run on both passes of a repeated hour", () => {
    // croner's other DST rule, for expressions with a list/range/step in the time fields.
    const s: Schedule = { kind: "cron", expr: "30 2,14 * * *", tz: "Europe/Berlin" };
    expect(runs(s, "2026-03-29T00:00:00Z", 2)).toEqual(["2026-03-29T12:30:00.000Z", "2026-03-30T00:30:00.000Z"]);
    expect(runs(s, "2026-10-24T22:00:00Z", 3)).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-25T01:30:00.000Z", "2026-10-25T13:30:00.000Z"]);
  });

  it("supports 6 fields with seconds first", () => {
    expect(runs({ kind: "cron", expr: "*/15 * * * * *" }, "2026-11-25T07:00:07Z", 2)).toEqual([
      "2026-11-25T07:00:15.000Z",
      "2026-11-25T07:00:30.000Z",
    ]);
  });

  it("never returns a time at or before afterMs, including within the run's second", () => {
    const s: Schedule = { kind: "cron", expr: "0 6 * * *" };
    const ctx = { createdAtMs: 0 };
    for (const after of ["2026-11-25T06:00:00.000Z", "2026-11-25T06:00:00.500Z", "2026-11-25T06:00:00.999Z"]) {
      expect(iso(nextRunAfter(s, ms(after), ctx))).toBe("2026-11-26T06:00:00.000Z");
    }
    expect(iso(nextRunAfter(s, ms("2026-11-25T05:59:59.999Z"), ctx))).toBe("2026-11-25T06:00:00.000Z");
    // firstRun is "at or after": a run exactly at now counts, one a moment ago does not.
    expect(iso(firstRun(s, { ...ctx, nowMs: ms("2026-11-25T06:00:00Z") }))).toBe("2026-11-25T06:00:00.000Z");
    expect(iso(firstRun(s, { ...ctx, nowMs: ms("2026-11-25T06:00:00.001Z") }))).toBe("2026-11-26T06:00:00.000Z");
  });

  it("catch-up: after a long gap the next run is the first slot after now", () => {
    const s: Schedule = { kind: "cron", expr: "*/5 * * * *" };
    expect(iso(nextRunAfter(s, ms("2026-11-30T12:03:10Z"), { createdAtMs: ms("2026-11-01T00:00:00Z") }))).toBe("2026-11-30T12:05:00.000Z");
  });

  it("invalid expressions and zones are rejected with clear messages", () => {
    const nowMs = ms("2026-11-25T00:00:00Z");
    expect(errorOf(() => normalizeSchedule({ kind: "cron", expr: "x y" }, { nowMs })).message).toBe(
      'schedule.expr: invalid cron expression "x y": expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got 2',
    );
    expect(errorOf(() => normalizeSchedule({ kind: "cron", expr: "0 0 6 * * * 2026" }, { nowMs })).message).toContain(
      'schedule.expr: invalid cron expression "0 0 6 * * * 2026": expected 5 fields',
    );
    expect(errorOf(() => normalizeSchedule({ kind: "cron", expr: "61 * * * *" }, { nowMs })).message).toBe(
      'schedule.expr: invalid cron expression "61 * * * *": Invalid value for minute: 61',
    );
    expect(errorOf(() => normalizeSchedule({ kind: "cron", expr: "0 6 * * *", tz: "Mars/Olympus" }, { nowMs })).message).toBe(
      'schedule.tz: invalid time zone "Mars/Olympus", expected an IANA name such as Europe/Berlin',
    );
    expect(errorOf(() => normalizeSchedule({ kind: "cron", expr: "0 6 * * *" }, { nowMs, timezone: "Nowhere" })).message).toBe(
      'timezone: invalid time zone "Nowhere", expected an IANA name such as Europe/Berlin',
    );
    expect(errorOf(() => normalizeSchedule({ kind: "cron", expr: "0 0 30 2 *" }, { nowMs })).message).toBe(
      'schedule.expr: cron expression "0 0 30 2 *" never runs again',
    );
  });
});

describe("ScheduleSchema", () => {
  it("accepts the three kinds and is closed", () => {
    expect(ScheduleSchema.safeParse({ kind: "cron", expr: "0 6 * * *", tz: "Europe/Berlin" }).success).toBe(true);
    expect(ScheduleSchema.safeParse({ kind: "every", everyMs: 1000 }).success).toBe(true);
    expect(ScheduleSchema.safeParse({ kind: "at", at: "06:00" }).success).toBe(true);
    const unknown = ScheduleSchema.safeParse({ kind: "every", everyMs: 60_000, every: "1m" });
    expect(unknown.error?.issues).toMatchObject([{ code: "unrecognized_keys", keys: ["every"] }]);
  });

  it("unknown keys, unknown kinds and non-objects give clear errors", () => {
    const nowMs = 0;
    expect(errorOf(() => normalizeSchedule({ kind: "every", everyMs: 60_000, every: "1m" } as Schedule, { nowMs })).message).toBe(
      'unknown property "schedule.every"',
    );
    expect(errorOf(() => normalizeSchedule({ kind: "weekly" } as unknown as Schedule, { nowMs })).message).toBe(
      'schedule.kind: expected kind "at", "every" or "cron"',
    );
    expect(errorOf(() => normalizeSchedule("0 6 * * *" as unknown as Schedule, { nowMs })).message).toBe(
      "schedule: expected a schedule object",
    );
  });
});

describe("describeSchedule and durationToMs", () => {
  it("describes each kind", () => {
    expect(describeSchedule({ kind: "every", everyMs: 30 * MIN })).toBe("every 30m");
    expect(describeSchedule({ kind: "every", everyMs: durationToMs("1h30m") })).toBe("every 1h30m");
    expect(describeSchedule({ kind: "every", everyMs: DAY + 1500 })).toBe("every 1d1s500ms");
    expect(describeSchedule({ kind: "every", everyMs: HOUR, anchorMs: 0 })).toBe("every 1h from 1970-01-01T00:00:00.000Z");
    expect(describeSchedule({ kind: "cron", expr: "0 6 * * *", tz: "Europe/Berlin" })).toBe("cron 0 6 * * * (Europe/Berlin)");
    expect(describeSchedule({ kind: "cron", expr: "0 6 * * *" })).toBe("cron 0 6 * * *");
    expect(describeSchedule({ kind: "at", at: "2026-11-26T05:00:00.000Z", atMs: ms("2026-11-26T05:00:00Z") })).toBe(
      "at 2026-11-26T05:00:00.000Z",
    );
    expect(describeSchedule({ kind: "at", atMs: ms("2026-11-26T05:00:00Z") })).toBe("at 2026-11-26T05:00:00.000Z");
  });

  it("re-exports the project's duration parser", () => {
    expect(durationToMs("30m")).toBe(30 * MIN);
    expect(durationToMs("1h30m")).toBe(90 * MIN);
    expect(durationToMs("45s")).toBe(45_000);
    expect(durationToMs("1d")).toBe(DAY);
  });
});
