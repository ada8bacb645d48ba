import { z } from "zod";
import { AgentId } from "../config/schema";
import { ALIGNMENT_FILES, FileTooLarge, utf8Bytes } from "../agent/agent-files";
import { agentDisplayName, listAgents } from "../agent/agents";
import { DEFAULT_AGENT_ID, resolveSessionKey } from "../agent/session-keys";
import { invalidParams } from "../protocol/errors";
import { defineMethod, params } from "../protocol/registry";
import type { MethodContext } from "./context";

const FileName = z.enum(ALIGNMENT_FILES);

export async function requireAgent(ctx: MethodContext, method: string, agentId: string) {
  const config = (await ctx.config.load()).resolved;
  const agent = listAgents(config).find((a) => a.id === agentId);
  if (!agent) throw invalidParams(method, `agentId: unknown agent "${agentId}"`);
  return agent;
}

/**
 * The reference writes `{agentId, filename}`; ArgentOS clients send `name`. Either is
 * accepted, exactly one is required.
 */
const FileRef = {
  agentId: AgentId.default(DEFAULT_AGENT_ID),
  filename: FileName.optional(),
  name: FileName.optional(),
};
function fileNameOf(method: string, p: { filename?: string; name?: string }) {
  const name = p.filename ?? p.name;
  if (!name) throw invalidParams(method, "filename: required");
  if (p.filename && p.name && p.filename !== p.name) throw invalidParams(method, "filename and name disagree");
  return name;
}

export const agentMethods = [
  defineMethod({
    name: "agents.list",
    access: "read",
    params: params({}),
    async handler(ctx) {
      const agents = listAgents((await ctx.config.load()).resolved);
      return {
        defaultId: agents.find((a) => a.default)?.id ?? DEFAULT_AGENT_ID,
        mainKey: "main",
        scope: "per-sender",
        agents,
      };
    },
  }),

  defineMethod({
    name: "agent.identity.get",
    access: "read",
    params: params({ agentId: AgentId.optional(), sessionKey: z.string().max(256).optional() }),
    async handler(ctx, p) {
      const agentId = p.agentId ?? resolveSessionKey(p.sessionKey).agentId;
      const agent = await requireAgent(ctx, "agent.identity.get", agentId);
      const file = await ctx.files.get(agentId, "IDENTITY.md");
      return {
        agentId,
        name: agentDisplayName((await ctx.config.load()).resolved, agentId, file?.content),
        ...(agent.identity?.emoji ? { emoji: agent.identity.emoji } : {}),
        ...(agent.identity?.avatar ? { avatar: agent.identity.avatar } : {}),
        ...(agent.identity?.theme ? { theme: agent.identity.theme } : {}),
      };
    },
  }),

  defineMethod({
    name: "agents.files.list",
    access: "admin",
    params: params({ agentId: AgentId.default(DEFAULT_AGENT_ID) }),
    async handler(ctx, p) {
      await requireAgent(ctx, "agents.files.list", p.agentId);
      const stored = await ctx.files.all(p.agentId);
      return {
        agentId: p.agentId,
        files: ALIGNMENT_FILES.map((name) => {
          const f = stored.get(name);
          return f ? { name, missing: false, size: utf8Bytes(f.content), updatedAtMs: f.updatedAtMs } : { name, missing: true };
        }),
      };
    },
  }),

  defineMethod({
    name: "agents.files.get",
    access: "admin",
    params: params(FileRef),
    async handler(ctx, p) {
      const name = fileNameOf("agents.files.get", p);
      await requireAgent(ctx, "agents.files.get", p.agentId);
      const row = await ctx.files.get(p.agentId, name);
      const file = row
        ? { name, missing: false, size: utf8Bytes(row.content), updatedAtMs: row.updatedAtMs, content: row.content }
        : { name, missing: true, size: 0, content: "" };
      return { agentId: p.agentId, file };
    },
  }),

  defineMethod({
    name: "agents.files.set",
    access: "admin",
    params: params({ ...FileRef, content: z.string() }),
    async handler(ctx, p) {
      const name = fileNameOf("agents.files.set", p);
      await requireAgent(ctx, "agents.files.set", p.agentId);
      try {
        const stored = await ctx.files.put(p.agentId, name, p.content, Date.now());
        return { ok: true, agentId: p.agentId, file: { name, missing: false, size: utf8Bytes(p.content), updatedAtMs: stored.updatedAtMs } };
      } catch (err) {
        if (err instanceof FileTooLarge) throw invalidParams("agents.files.set", `content: ${err.message}`);
        throw err;
      }
    },
  }),
];
