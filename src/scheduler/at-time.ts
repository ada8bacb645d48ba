import { Cron } from "croner";

/** The three spellings of a one-shot "at" time. */
export type AtTime =
  | { type: "instant"; ms: number } // ISO date-time with Z or an offset: already absolute
  | { type: "local"; date: LocalFields } // ISO date-time without offset: wall clock in the job's zone
  | { type: "daily"; hour: number; minute: number; second: number }; // "HH:MM[:SS]": next such wall-clock time

type LocalFields = { year: number; month: number; day: number; hour: number; minute: number; second: number; ms: number };

const WALL_CLOCK = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;
const DAY_MS = 86_400_000;

/** Parses an "at" string; undefined when it is not one of the accepted spellings or out of range. */
export function parseAtTime(text: string): AtTime | undefined {
  const clock = WALL_CLOCK.exec(text);
  if (clock) {
    const [hour, minute, second] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    return validTime(hour, minute, second) ? { type: "daily", hour, minute, second } : undefined;
  }
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const date: LocalFields = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
    ms: Number((m[7] ?? "0").padEnd(3, "0").slice(0, 3)), // finer fractions are cut to ms
  };
  if (!validDate(date) || !validTime(date.hour, date.minute, date.second)) return undefined;
  const zone = m[8];
  if (zone === undefined) return { type: "local", date };
  const offsetMin = zone === "Z" ? 0 : offsetMinutes(zone);
  if (offsetMin === undefined) return undefined;
  return { type: "instant", ms: naiveUtcMs(date) - offsetMin * 60_000 };
}

/**
 * The instant an "at" time means, in `zone`, seen from `refMs` (only "daily" depends on it: the
 * next occurrence strictly after refMs). Undefined when a local date-time has no instant at all.
 *
 * Wall-clock times go through croner as fixed-time cron jobs, so DST follows croner's rules: a
 * time skipped by spring-forward runs when the clock jumps (02:30 on 2026-03-29 in Europe/Berlin
 * becomes 03:00 CEST = 01:00Z), a time repeated by fall-back runs at its first occurrence.
 */
export function resolveAtTime(at: AtTime, refMs: number, zone: string): number | undefined {
  if (at.type === "instant") return at.ms;
  if (at.type === "daily") {
    const job = new Cron(`${at.second} ${at.minute} ${at.hour} * * *`, { mode: "6-part", timezone: zone });
    return job.nextRun(new Date(refMs))?.getTime();
  }
  const d = at.date;
  const job = new Cron(`${d.second} ${d.minute} ${d.hour} ${d.day} ${d.month} * ${d.year}`, { mode: "7-part", timezone: zone });
  // Zone offsets stay within ±14h, so two days before the naive UTC reading is before the run.
  const run = job.nextRun(new Date(naiveUtcMs({ ...d, ms: 0 }) - 2 * DAY_MS))?.getTime();
  return run === undefined ? undefined : run + d.ms;
}

function validTime(hour: number, minute: number, second: number): boolean {
  return hour <= 23 && minute <= 59 && second <= 59;
}

// Years before 1970 cannot be a future run, and Date.UTC would remap years 0-99.
function validDate({ year, month, day }: LocalFields): boolean {
  if (year < 1970 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function offsetMinutes(zone: string): number | undefined {
  const [hours, minutes] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith("-") ? -1 : 1) * (hours * 60 + minutes);
}

function naiveUtcMs(d: LocalFields): number {
  return Date.UTC(d.year, d.month - 1, d.day, d.hour, d.minute, d.second, d.ms);
}
