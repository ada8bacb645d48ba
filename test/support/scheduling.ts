// Driving a tenant's scheduler deterministically: its clock (the TEST_CLOCK seam), its alarm,
// and the Worker's minute sweep.
import { createScheduledController, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import worker from "../../src/index";
import { TEST_CLOCK_KEY } from "../../src/scheduler/clock";

export const stubOf = (tenant = "default") => env.GATEWAY.getByName(tenant);

/** Sets the tenant's clock (what its scheduler reads as now). */
export async function setClock(ms: number, tenant = "default") {
  await runInDurableObject(stubOf(tenant), (_instance, state) => state.storage.kv.put(TEST_CLOCK_KEY, ms));
}

/** Fires the tenant's alarm now, if one is armed. */
export const fireAlarm = (tenant = "default") => runDurableObjectAlarm(stubOf(tenant));

/** Runs the Worker's scheduled() handler (the Cron Trigger) at `scheduledTime`. */
export async function runSweep(scheduledTime: number) {
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "* * * * *" }), env);
}

export const at = (iso: string) => Date.parse(iso);
