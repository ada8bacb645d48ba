// The Cron Trigger's sweep: one indexed read of the due tenants, a wake for each of those and
// for nothing else; the woken tenant then runs its job from its alarm.
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { sweepDueTenants } from "../../src/scheduler/sweep";
import { admin, connected, createTenant } from "../support/client";
import { at, fireAlarm, runSweep, setClock } from "../support/scheduling";

const NOW = at("2026-11-25T10:00:00Z");

async function tenantWithJob(id: string, everyMs: number | undefined) {
  const token = await createTenant(id);
  await setClock(NOW, id);
  const { client } = await connected(`/t/${id}/ws`, { token });
  const job = everyMs ? await client.call("cron.add", { name: id, schedule: { kind: "every", everyMs }, payload: { kind: "systemEvent", text: id } }) : undefined;
  return { client, job };
}

it("wakes only tenants with work due before the next sweep", async () => {
  const due = await tenantWithJob("due-co", 600_000); // due at NOW + 10 min
  const later = await tenantWithJob("later-co", 3_600_000); // due in an hour
  await tenantWithJob("idle-co", undefined);
  const off = await tenantWithJob("off-co", 600_000);
  await admin("/tenants/off-co/disable", { method: "POST" });

  const rows = await env.DB.prepare("select tenant_id, next_wake_at_ms from tenant_wakeups order by tenant_id").all();
  expect(rows.results).toEqual([
    { tenant_id: "due-co", next_wake_at_ms: NOW + 600_000 },
    { tenant_id: "later-co", next_wake_at_ms: NOW + 3_600_000 },
    { tenant_id: "off-co", next_wake_at_ms: NOW + 600_000 },
  ]);

  expect(await sweepDueTenants(env, NOW)).toMatchObject({ due: 0, woken: 0, queries: 1 });
  expect(await sweepDueTenants(env, NOW + 600_000 - 30_000)).toMatchObject({ due: 1, woken: 1, failed: 0, queries: 1 });

  // The Worker's scheduled() handler does the same; the woken tenant runs the job from its alarm.
  await setClock(NOW + 600_000, "due-co");
  await runSweep(NOW + 600_000);
  await fireAlarm("due-co");
  const finished = await due.client.next((f) => f.event === "cron" && f.payload.action === "finished");
  expect(finished.payload).toMatchObject({ jobId: due.job.id, status: "ok" });
  expect((await later.client.call("cron.list", {})).jobs[0].state.lastRunAtMs).toBeUndefined();
  expect((await due.client.call("cron.runs", { id: due.job.id })).entries.length).toBe(1);
  expect(off.job).toBeDefined();
});

it("pages through more due tenants than one page holds", async () => {
  // Three more tenants due at the same time as due-co (ties are ordered by tenant id).
  for (const id of ["page-a", "page-b", "page-c"]) await tenantWithJob(id, 600_000);
  const report = await sweepDueTenants(env, NOW + 600_000 - 30_000, { pageSize: 2 });
  // due-co ran its job above and is due again later; the three new ones are due now.
  expect(report).toMatchObject({ due: 3, woken: 3, failed: 0, queries: 2 });
});
