import { z } from "zod";
import { listAgents } from "../agent/agents";
import { AgentId } from "../config/schema";
import { defineMethod, params } from "../protocol/registry";
import type { MethodContext } from "./context";
import { requireAgent } from "./agents";

/** The agents a worker method is about: one when named, else all of them. */
async function agentsOf(ctx: MethodContext, method: string, agentId: string | undefined) {
  if (agentId) return [(await requireAgent(ctx, method, agentId)).id];
  return listAgents((await ctx.config.load()).resolved).map((a) => a.id);
}

async function workerStatus(ctx: MethodContext, agentIds: string[]) {
  const config = (await ctx.config.load()).resolved;
  const due = await ctx.scheduler.worker.dueTimes(config);
  return { agents: agentIds.map((id) => ctx.scheduler.worker.status(config, id, due.get(id))) };
}

const AgentParam = params({ agentId: AgentId.optional() });

/** Heartbeats, the execution worker and contemplation: what the agent does on its own. */
export const autonomyMethods = [
  defineMethod({
    name: "last-heartbeat",
    access: "read",
    params: AgentParam,
    handler: (ctx, p) => ctx.scheduler.heartbeats.last(p.agentId) ?? null,
  }),

  defineMethod({
    name: "set-heartbeats",
    access: "admin",
    params: params({ enabled: z.boolean() }),
    async handler(ctx, p) {
      ctx.scheduler.heartbeats.setEnabled(p.enabled);
      await ctx.scheduler.reschedule();
      return { ok: true, enabled: p.enabled };
    },
  }),

  defineMethod({
    name: "wake",
    access: "write",
    params: params({
      text: z.string().min(1).max(20_000).optional(),
      mode: z.enum(["now", "next-heartbeat"]).default("next-heartbeat"),
      agentId: AgentId.default("main"),
    }),
    async handler(ctx, p) {
      await requireAgent(ctx, "wake", p.agentId);
      if (p.text) ctx.scheduler.heartbeats.enqueue(p.agentId, p.text, `client:${ctx.caller.clientId}`);
      // The heartbeat runs after the answer; its outcome arrives as a `heartbeat` event.
      if (p.mode === "now") ctx.afterResponse(() => void ctx.scheduler.track(ctx.scheduler.heartbeats.run(p.agentId, "wake")));
      else await ctx.scheduler.reschedule();
      return { ok: true, mode: p.mode, queued: ctx.scheduler.heartbeats.events(p.agentId).length };
    },
  }),

  defineMethod({
    name: "execution.worker.status",
    access: "read",
    params: AgentParam,
    handler: async (ctx, p) => workerStatus(ctx, await agentsOf(ctx, "execution.worker.status", p.agentId)),
  }),

  defineMethod({
    name: "execution.worker.runNow",
    access: "write",
    params: AgentParam,
    async handler(ctx, p) {
      const ids = await agentsOf(ctx, "execution.worker.runNow", p.agentId);
      const started = ids.filter((id) => !ctx.scheduler.worker.isRunning(id));
      ctx.afterResponse(() => {
        for (const id of started) void ctx.scheduler.track(ctx.scheduler.worker.cycle(id));
      });
      return { ok: true, started };
    },
  }),

  ...([["execution.worker.pause", true], ["execution.worker.resume", false]] as const).map(([name, paused]) =>
    defineMethod({
      name,
      access: "write",
      params: AgentParam,
      async handler(ctx, p) {
        const ids = await agentsOf(ctx, name, p.agentId);
        for (const id of ids) ctx.scheduler.worker.setPaused(id, paused);
        await ctx.scheduler.reschedule();
        return { ok: true, ...(await workerStatus(ctx, ids)) };
      },
    }),
  ),

  defineMethod({
    name: "contemplation.runOnce",
    access: "write",
    detached: true,
    params: AgentParam,
    async handler(ctx, p) {
      const agentId = (await requireAgent(ctx, "contemplation.runOnce", p.agentId ?? "main")).id;
      return ctx.scheduler.track(ctx.scheduler.contemplation.run(agentId, { requireIdle: false }));
    },
  }),
];
