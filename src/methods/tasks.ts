import { z } from "zod";
import { AgentId } from "../config/schema";
import { invalidParams } from "../protocol/errors";
import { defineMethod, params } from "../protocol/registry";
import { TaskNotFound, TaskPriority, TaskStatus } from "../scheduler/tasks";
import { requireAgent } from "./agents";

/** Task ids in errors the way every method reports them. */
async function orInvalid<T>(method: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof TaskNotFound) throw invalidParams(method, err.message);
    throw err;
  }
}

export const taskMethods = [
  defineMethod({
    name: "tasks.list",
    access: "read",
    params: params({ agentId: AgentId.optional(), status: z.array(TaskStatus).min(1).optional() }),
    handler: async (ctx, p) => ({ tasks: await ctx.tasks.list({ agentId: p.agentId, statuses: p.status }) }),
  }),

  defineMethod({
    name: "tasks.add",
    access: "write",
    params: params({
      agentId: AgentId.default("main"),
      title: z.string().min(1).max(500),
      details: z.string().max(20_000).optional(),
      priority: TaskPriority.optional(),
    }),
    async handler(ctx, p) {
      await requireAgent(ctx, "tasks.add", p.agentId);
      return { task: await ctx.tasks.add({ ...p, createdBy: `client:${ctx.caller.clientId}` }) };
    },
  }),

  defineMethod({
    name: "tasks.update",
    access: "write",
    params: params({
      id: z.string().min(1).max(100),
      title: z.string().min(1).max(500).optional(),
      details: z.string().max(20_000).nullable().optional(),
      status: TaskStatus.optional(),
      priority: TaskPriority.optional(),
      evidence: z.string().min(1).max(5000).optional(),
      blockedReason: z.string().max(1000).nullable().optional(),
    }),
    async handler(ctx, p) {
      const { id, ...change } = p;
      if (Object.keys(change).length === 0) throw invalidParams("tasks.update", "nothing to change");
      return { task: await orInvalid("tasks.update", ctx.tasks.update(id, change, `client:${ctx.caller.clientId}`)) };
    },
  }),
];
