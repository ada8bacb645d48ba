import { z } from "zod";
import { GatewayError } from "../../protocol/errors";
import { JobFields, JobPatch } from "../../scheduler/cron-jobs";
import { ToolFailure, defineTool } from "./registry";

/** Validation errors of the job service, as the model should read them. */
async function asToolResult<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof GatewayError) throw new ToolFailure(err.message.replace(/^invalid cron\.\w+ params: /, ""));
    throw err;
  }
}

const { agentId: _agentId, ...OwnJobFields } = JobFields;

export const cronList = defineTool({
  name: "cron_list",
  description: "List your scheduled jobs (cron jobs), with their schedules and last results.",
  input: z.object({ includeDisabled: z.boolean().optional() }),
  async execute({ includeDisabled }, ctx) {
    const jobs = await ctx.cron.list(includeDisabled ?? true);
    return { jobs: jobs.filter((j) => j.agentId === ctx.agentId) };
  },
});

export const cronAdd = defineTool({
  name: "cron_add",
  description:
    'Schedule a job for yourself. schedule: {kind:"at", at:"06:00" or an ISO time} (once), {kind:"every", everyMs}, or ' +
    '{kind:"cron", expr:"0 6 * * 1-5", tz?}. payload: {kind:"agentTurn", message} runs a turn in its own session (the ' +
    'result comes back to your main session); {kind:"systemEvent", text} queues a note for your next heartbeat. ' +
    'wakeMode "now" delivers to the main session at once instead of at the next heartbeat.',
  input: z.strictObject(OwnJobFields),
  execute: async (input, ctx) => ({ job: await asToolResult(ctx.cron.add("cron_add", { ...input, agentId: ctx.agentId })) }),
});

export const cronUpdate = defineTool({
  name: "cron_update",
  description: "Change one of your scheduled jobs (e.g. enable/disable it, or change its schedule or message).",
  input: z.object({ id: z.string().min(1), patch: JobPatch.omit({ agentId: true }) }),
  async execute({ id, patch }, ctx) {
    await ownJob(ctx, id);
    return { job: await asToolResult(ctx.cron.update("cron_update", id, patch)) };
  },
});

export const cronRemove = defineTool({
  name: "cron_remove",
  description: "Delete one of your scheduled jobs.",
  input: z.object({ id: z.string().min(1) }),
  async execute({ id }, ctx) {
    await ownJob(ctx, id);
    return { removed: await ctx.cron.remove(id) };
  },
});

/** An agent manages its own jobs only. */
async function ownJob(ctx: { cron: { list(all: boolean): Promise<{ id: string; agentId: string }[]> }; agentId: string }, id: string) {
  const job = (await ctx.cron.list(true)).find((j) => j.id === id);
  if (!job || job.agentId !== ctx.agentId) throw new ToolFailure(`no job "${id}"`);
}
