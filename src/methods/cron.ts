import { z } from "zod";
import { JobInput, JobPatch, jobView, runView } from "../scheduler/cron-jobs";
import { invalidParams } from "../protocol/errors";
import { defineMethod, noParams, params } from "../protocol/registry";

const JobId = z.string().min(1).max(100);

export const cronMethods = [
  defineMethod({
    name: "cron.list",
    access: "read",
    params: params({ includeDisabled: z.boolean().default(false) }),
    handler: async (ctx, p) => ({ jobs: await ctx.cron.list(p.includeDisabled) }),
  }),

  defineMethod({
    name: "cron.status",
    access: "read",
    params: noParams,
    async handler(ctx) {
      const jobs = await ctx.cron.list(true);
      return {
        enabled: true,
        jobs: jobs.length,
        enabledJobs: jobs.filter((j) => j.enabled).length,
        runningJobs: jobs.filter((j) => j.state.runningAtMs !== undefined).length,
        nextWakeAtMs: ctx.scheduler.nextDue() ?? null,
        heartbeatsEnabled: ctx.scheduler.heartbeats.enabled,
      };
    },
  }),

  defineMethod({
    name: "cron.add",
    access: "admin",
    params: JobInput,
    handler: (ctx, p) => ctx.cron.add("cron.add", p),
  }),

  defineMethod({
    name: "cron.update",
    access: "admin",
    // `{id, patch}` (ArgentOS clients) or the reference's flat `{id, enabled: false}`.
    params: z.union([params({ id: JobId, patch: JobPatch }), params({ id: JobId, ...JobPatch.shape })]),
    async handler(ctx, p) {
      const { id, ...rest } = p;
      const patch = "patch" in rest ? rest.patch : rest;
      if (Object.keys(patch).length === 0) throw invalidParams("cron.update", "nothing to change");
      return ctx.cron.update("cron.update", id, patch as z.infer<typeof JobPatch>);
    },
  }),

  defineMethod({
    name: "cron.run",
    access: "admin",
    params: params({ id: JobId, mode: z.enum(["force", "due"]).default("force") }),
    async handler(ctx, p) {
      const row = await ctx.cron.require("cron.run", p.id);
      const now = ctx.clock.now();
      if (p.mode === "due" && (!row.enabled || row.nextRunAtMs === null || row.nextRunAtMs > now)) {
        return { ok: true, ran: false, reason: "not due", ...(row.nextRunAtMs !== null ? { nextRunAtMs: row.nextRunAtMs } : {}) };
      }
      if (row.runningAtMs !== null) return { ok: true, ran: false, reason: "already running" };
      // Answered at once; the run's progress arrives as `cron` started/finished events.
      ctx.afterResponse(() => void ctx.scheduler.track(ctx.scheduler.jobRunner.run(row, p.mode)));
      return { ok: true, ran: true, mode: p.mode, job: jobView(row) };
    },
  }),

  defineMethod({
    name: "cron.remove",
    access: "admin",
    params: params({ id: JobId }),
    handler: async (ctx, p) => ({ ok: true, removed: await ctx.cron.remove(p.id) }),
  }),

  defineMethod({
    name: "cron.runs",
    access: "read",
    params: params({ id: JobId, limit: z.int().min(1).max(200).default(50) }),
    async handler(ctx, p) {
      await ctx.cron.require("cron.runs", p.id);
      return { entries: (await ctx.cron.repo.runs(ctx.tenantId, p.id, p.limit)).map(runView) };
    },
  }),
];
