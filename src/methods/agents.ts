import { z } from "zod";
import type { Config } from "../config/schema";
import { AgentId } from "../config/schema";
import { agentFilesRepo } from "../db/agent-files-repo";
import { invalidParams } from "../protocol/errors";
import { defineMethod, params } from "../protocol/registry";
import type { MethodContext } from "./context";

/** The alignment files every agent has (missing ones read as empty). */
export const ALIGNMENT_FILES = [
  "AGENTS.md",
  "SOUL.md",
  "TOOLS.md",
  "IDENTITY.md",
  "USER.md",
  "HEARTBEAT.md",
  "BOOTSTRAP.md",
  "MEMORY.md",
] as const;
const FileName = z.enum(ALIGNMENT_FILES);

/** D1 rows are limited to 2 MB; alignment files are prompts, far smaller in practice. */
const MAX_FILE_BYTES = 1024 * 1024;
const DEFAULT_AGENT_ID = "main";

interface AgentView {
  id: string;
  name: string;
  default: boolean;
  model: string;
  identity?: { name?: string; emoji?: string; avatar?: string; theme?: string };
}

/** `main` always exists; the rest are `agents.list` in config. */
export function listAgents(config: Config): AgentView[] {
  const entries = config.agents.list;
  const explicitDefault = entries.find((a) => a.default)?.id ?? DEFAULT_AGENT_ID;
  const main = entries.find((a) => a.id === DEFAULT_AGENT_ID) ?? { id: DEFAULT_AGENT_ID };
  const all = [main, ...entries.filter((a) => a.id !== DEFAULT_AGENT_ID)];
  return all.map((a) => ({
    id: a.id,
    name: ("name" in a && a.name) || ("identity" in a && a.identity?.name) || (a.id === DEFAULT_AGENT_ID ? "Argent" : a.id),
    default: a.id === explicitDefault,
    model: ("model" in a && a.model) || config.agents.defaults.model,
    ...("identity" in a && a.identity ? { identity: a.identity } : {}),
  }));
}

async function requireAgent(ctx: MethodContext, method: string, agentId: string) {
  const config = (await ctx.config.load()).resolved;
  const agent = listAgents(config).find((a) => a.id === agentId);
  if (!agent) throw invalidParams(method, `agentId: unknown agent "${agentId}"`);
  const entry = config.agents.list.find((a) => a.id === agentId);
  /** A name the user chose in config wins over IDENTITY.md. */
  const configuredName = entry?.identity?.name ?? entry?.name;
  return { ...agent, configuredName };
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

const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/** `Name: X` (optionally as a list item or bold) from IDENTITY.md. */
export function identityNameFrom(markdown: string): string | undefined {
  const match = /^[\s*-]*\**name\**\s*:\s*\**\s*(.+?)\s*\**\s*$/im.exec(markdown);
  return match?.[1] || undefined;
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
      const agentId = p.agentId ?? agentIdOfSessionKey(p.sessionKey) ?? DEFAULT_AGENT_ID;
      const agent = await requireAgent(ctx, "agent.identity.get", agentId);
      const configured = agent.configuredName;
      const file = configured ? undefined : await agentFilesRepo(ctx.db).get(ctx.tenantId, agentId, "IDENTITY.md");
      return {
        agentId,
        name: configured ?? (file && identityNameFrom(file.content)) ?? agent.name,
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
      const stored = new Map((await agentFilesRepo(ctx.db).list(ctx.tenantId, p.agentId)).map((f) => [f.name, f]));
      return {
        agentId: p.agentId,
        files: ALIGNMENT_FILES.map((name) => {
          const f = stored.get(name);
          return f ? { name, missing: false, size: f.size, updatedAtMs: f.updatedAtMs } : { name, missing: true };
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
      const row = await agentFilesRepo(ctx.db).get(ctx.tenantId, p.agentId, name);
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
      const size = utf8Bytes(p.content);
      if (size > MAX_FILE_BYTES) throw invalidParams("agents.files.set", `content: larger than ${MAX_FILE_BYTES} bytes`);
      const now = Date.now();
      await agentFilesRepo(ctx.db).put(ctx.tenantId, p.agentId, name, p.content, now);
      return { ok: true, agentId: p.agentId, file: { name, missing: false, size, updatedAtMs: now } };
    },
  }),
];

/** `agent:<id>:<key>` → id; `main` and other bare keys belong to the default agent. */
export function agentIdOfSessionKey(sessionKey: string | undefined): string | undefined {
  if (!sessionKey) return undefined;
  const match = /^agent:([^:]+):/.exec(sessionKey);
  return match ? match[1] : DEFAULT_AGENT_ID;
}
