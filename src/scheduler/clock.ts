import type { Env } from "../env";

/** Where scheduling reads the time. Everything due-related goes through one of these. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** DO storage key of a test's fixed time (honoured only with the TEST_CLOCK binding). */
export const TEST_CLOCK_KEY = "testClockMs";

/**
 * The tenant's clock: the system time, or — only where the test-only binding
 * `TEST_CLOCK = "enabled"` exists (never in wrangler.toml) — a time a test stored in the
 * Durable Object's storage, so schedules can be driven deterministically.
 */
export function tenantClock(env: Env, kv: SyncKvStorage): Clock {
  if (env.TEST_CLOCK !== "enabled") return systemClock;
  return { now: () => kv.get<number>(TEST_CLOCK_KEY) ?? Date.now() };
}
