import { z } from "zod";
import { resolveSessionKey } from "../session-keys";
import { parseRow, textOf } from "../transcript";
import { ToolFailure, defineTool } from "./registry";

export const sessionsList = defineTool({
  name: "sessions_list",
  description: "List your conversations (sessions), most recently active first.",
  input: z.object({ limit: z.int().min(1).max(100).optional() }),
  async execute({ limit }, ctx) {
    const rows = await ctx.sessions.list(limit ?? 20);
    return {
      sessions: rows.map((r) => ({
        key: r.key,
        agentId: r.agentId,
        title: r.label ?? r.title,
        lastMessage: r.lastPreview,
        messageCount: r.messageCount,
        updatedAt: new Date(r.updatedAtMs).toISOString(),
      })),
    };
  },
});

export const sessionsHistory = defineTool({
  name: "sessions_history",
  description: "Read the latest messages of one of your conversations, by session key (e.g. from sessions_list).",
  input: z.object({
    sessionKey: z.string().min(1).max(256),
    limit: z.int().min(1).max(100).optional(),
  }),
  async execute({ sessionKey, limit }, ctx) {
    const row = await ctx.sessions.find(resolveSessionKey(sessionKey).key);
    if (!row) throw new ToolFailure(`no session "${sessionKey}"`);
    const messages = await ctx.sessions.messages(row, limit ?? 20);
    return {
      sessionKey: row.key,
      messages: messages.map((m) => ({
        role: m.role,
        text: textOf(parseRow(m).content),
        at: new Date(m.createdAtMs).toISOString(),
      })),
    };
  },
});
