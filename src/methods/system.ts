import { defineMethod, noParams } from "../protocol/registry";
import { GATEWAY_VERSION } from "../version";
import type { MethodContext } from "./context";
import { durationToSeconds } from "../config/duration";

/** The `health` result; also the `health` part of hello-ok's snapshot and the `health` event. */
export async function healthSnapshot(ctx: MethodContext) {
  const started = Date.now();
  const config = await ctx.config.load();
  const connections = ctx.gateway.connections();
  return {
    ok: true,
    ts: started,
    version: GATEWAY_VERSION,
    tenant: ctx.tenantId,
    uptimeMs: ctx.gateway.uptimeMs(),
    defaultAgentId: "main",
    heartbeatSeconds: durationToSeconds(config.resolved.agents.defaults.heartbeat.every),
    connections: connections.operators + connections.nodes,
    durationMs: Date.now() - started,
  };
}

export const systemMethods = [
  defineMethod({
    name: "health",
    access: "read",
    params: noParams,
    handler: (ctx) => healthSnapshot(ctx),
  }),

  defineMethod({
    name: "status",
    access: "read",
    params: noParams,
    async handler(ctx) {
      const config = await ctx.config.load();
      const { resolved } = config;
      return {
        version: GATEWAY_VERSION,
        tenant: ctx.tenantId,
        uptimeMs: ctx.gateway.uptimeMs(),
        connections: ctx.gateway.connections(),
        presence: ctx.gateway.presence(),
        stateVersion: ctx.gateway.stateVersion(),
        agents: {
          defaultId: "main",
          ids: ["main", ...resolved.agents.list.map((a) => a.id).filter((id) => id !== "main")],
          model: resolved.agents.defaults.model,
          thinkingDefault: resolved.agents.defaults.thinkingDefault,
          heartbeatEvery: resolved.agents.defaults.heartbeat.every,
          contemplationEnabled: resolved.agents.defaults.contemplation.enabled,
        },
        config: { hash: config.hash, revision: config.revision },
        policy: { maxPayload: resolved.gateway.maxPayload, tickIntervalMs: resolved.gateway.tickIntervalMs },
        caller: { connId: ctx.caller.connId, role: ctx.caller.role, scopes: ctx.caller.scopes },
      };
    },
  }),

  defineMethod({
    name: "system-presence",
    access: "read",
    params: noParams,
    handler: (ctx) => ctx.gateway.presence(),
  }),
];
