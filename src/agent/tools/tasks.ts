import { z } from "zod";
import { TaskNotFound, TaskPriority, TaskStatus } from "../../scheduler/tasks";
import { ToolFailure, defineTool } from "./registry";

export const tasksList = defineTool({
  name: "tasks_list",
  description: "List your tasks (the ones the execution worker works on), optionally only some statuses.",
  input: z.object({ status: z.array(TaskStatus).optional() }),
  execute: async ({ status }, ctx) => ({ tasks: await ctx.tasks.list({ agentId: ctx.agentId, statuses: status }) }),
});

export const tasksAdd = defineTool({
  name: "tasks_add",
  description: "Add a task to your task list.",
  input: z.object({
    title: z.string().min(1).max(500),
    details: z.string().max(20_000).optional(),
    priority: TaskPriority.optional(),
  }),
  execute: async (input, ctx) => ({ task: await ctx.tasks.add({ ...input, agentId: ctx.agentId, createdBy: `agent:${ctx.agentId}` }) }),
});

export const tasksUpdate = defineTool({
  name: "tasks_update",
  description:
    "Update one of your tasks. Record what you did as `evidence` (a short note): work without recorded evidence does not count as progress. " +
    'Set status "done" when finished, or "blocked" with a blockedReason.',
  input: z.object({
    id: z.string().min(1),
    evidence: z.string().min(1).max(5000).optional(),
    status: TaskStatus.optional(),
    priority: TaskPriority.optional(),
    blockedReason: z.string().max(1000).optional(),
    title: z.string().min(1).max(500).optional(),
    details: z.string().max(20_000).optional(),
  }),
  async execute({ id, ...change }, ctx) {
    try {
      const task = (await ctx.tasks.list({ agentId: ctx.agentId })).find((t) => t.id === id);
      if (!task) throw new TaskNotFound(`no task "${id}"`);
      return { task: await ctx.tasks.update(id, change, `agent:${ctx.agentId}`) };
    } catch (err) {
      if (err instanceof TaskNotFound) throw new ToolFailure(err.message);
      throw err;
    }
  },
});
