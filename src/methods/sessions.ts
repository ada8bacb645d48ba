import { z } from "zod";
import { DEFAULT_KEEP_MESSAGES, planCompaction, summarize } from "../agent/compaction";
import { describeUpstreamError } from "../agent/upstream-errors";
import { languageModel, modelTarget } from "../agent/providers";
import { MAIN_SESSION_KEY, SessionKeyParam, isMainSession, resolveSessionKey } from "../agent/session-keys";
import { newSessionRow } from "../agent/session-store";
import { parseRow, textOf } from "../agent/transcript";
import type { SessionRow } from "../db/sessions-repo";
import { ErrorKind, GatewayError, agentBusy, sessionNotFound } from "../protocol/errors";
import { defineMethod, params } from "../protocol/registry";
import { requireSession } from "./chat";
import type { MethodContext } from "./context";

function sessionView(ctx: MethodContext, row: SessionRow) {
  const title = row.label ?? row.title;
  return {
    key: row.key,
    agentId: row.agentId,
    kind: isMainSession(resolveSessionKey(row.key)) ? "main" : "direct",
    sessionId: row.sessionId,
    ...(row.label ? { label: row.label } : {}),
    title: title ?? null,
    derivedTitle: row.title ?? null,
    displayName: title ?? row.key,
    lastMessagePreview: row.lastPreview ?? null,
    messageCount: row.messageCount,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    totalTokens: row.inputTokens + row.outputTokens,
    model: row.model ?? null,
    updatedAt: row.updatedAtMs,
    createdAt: row.createdAtMs,
    active: ctx.runs.activeOn(row.key) !== undefined,
  };
}

/** The main session before its first message: it always exists for clients. */
const emptyMain = (nowMs: number) => newSessionRow("", resolveSessionKey("main"), nowMs, "");

/** Session maintenance must not race a run writing the same transcript. */
function refuseWhileRunning(ctx: MethodContext, key: string) {
  const run = ctx.runs.activeOn(key);
  if (run) throw agentBusy(key, run.record.runId);
}

export const sessionMethods = [
  defineMethod({
    name: "sessions.list",
    access: "read",
    params: params({
      limit: z.int().min(1).max(1000).default(200),
      agentId: z.string().max(64).optional(),
      search: z.string().max(200).optional(),
      activeMinutes: z.int().min(1).optional(),
      includeDerivedTitles: z.boolean().optional(),
      includeLastMessage: z.boolean().optional(),
    }),
    async handler(ctx, p) {
      const now = Date.now();
      let rows = await ctx.sessions.list(p.limit);
      if (!rows.some((r) => r.key === MAIN_SESSION_KEY)) rows = [...rows, emptyMain(now)];
      const needle = p.search?.toLowerCase();
      rows = rows.filter(
        (r) =>
          (!p.agentId || r.agentId === p.agentId) &&
          (!p.activeMinutes || r.updatedAtMs >= now - p.activeMinutes * 60_000) &&
          (!needle || [r.key, r.label, r.title].some((v) => v?.toLowerCase().includes(needle))),
      );
      const config = (await ctx.config.load()).resolved;
      return {
        ts: now,
        count: rows.length,
        defaults: { model: config.agents.defaults.model, thinkingLevel: config.agents.defaults.thinkingDefault },
        sessions: rows.map((r) => sessionView(ctx, r)),
      };
    },
  }),

  defineMethod({
    name: "sessions.preview",
    access: "read",
    params: params({
      sessionKey: SessionKeyParam.optional(),
      keys: z.array(SessionKeyParam).min(1).max(64).optional(),
      limit: z.int().min(1).max(50).default(12),
      maxChars: z.int().min(20).max(4000).default(240),
    }),
    async handler(ctx, p) {
      if (p.sessionKey) await requireSession(ctx, p.sessionKey);
      const keys = [...(p.sessionKey ? [p.sessionKey] : []), ...(p.keys ?? [])];
      if (keys.length === 0) keys.push("main");
      const previews = await Promise.all(
        keys.map(async (raw) => {
          const key = resolveSessionKey(raw).key;
          const row = await ctx.sessions.find(key);
          if (!row) return { key, status: isMainSession(resolveSessionKey(key)) ? "ok" : "missing", items: [] };
          const items = (await ctx.sessions.messages(row, p.limit)).map((m) => {
            const text = textOf(parseRow(m).content);
            return { role: m.role === "summary" ? "system" : m.role, text: text.length > p.maxChars ? `${text.slice(0, p.maxChars - 1)}…` : text };
          });
          return { key, status: "ok", title: row.label ?? row.title ?? null, messageCount: row.messageCount, items };
        }),
      );
      return { ts: Date.now(), previews };
    },
  }),

  defineMethod({
    name: "sessions.reset",
    access: "admin",
    params: params({ sessionKey: SessionKeyParam.default("main"), reason: z.string().max(64).optional() }),
    async handler(ctx, p) {
      const { ref, row } = await requireSession(ctx, p.sessionKey);
      refuseWhileRunning(ctx, ref.key);
      if (!row) return { ok: true, key: ref.key, sessionId: null, archived: null };
      const sessionId = await ctx.sessions.reset(row, p.reason ?? "reset", Date.now());
      return { ok: true, key: ref.key, sessionId, archived: { sessionId: row.sessionId, messageCount: row.messageCount } };
    },
  }),

  defineMethod({
    name: "sessions.compact",
    access: "admin",
    params: params({
      sessionKey: SessionKeyParam.default("main"),
      keep: z.int().min(1).max(200).default(DEFAULT_KEEP_MESSAGES),
      model: z.string().min(3).max(200).optional(),
    }),
    async handler(ctx, p) {
      const { ref, row } = await requireSession(ctx, p.sessionKey);
      refuseWhileRunning(ctx, ref.key);
      if (!row) throw sessionNotFound(ref.key);
      const plan = planCompaction(await ctx.sessions.messages(row, 10_000), p.keep);
      if (!plan) return { ok: true, key: ref.key, compacted: false, reason: "nothing older than the kept messages" };
      const config = (await ctx.config.load()).resolved;
      const target = modelTarget("sessions.compact", p.model ?? row.model ?? config.agents.defaults.model, config, ctx.env);
      let summary;
      try {
        summary = await summarize(languageModel(target.provider, target.model, ctx.env), plan.older);
      } catch (err) {
        throw new GatewayError(ErrorKind.Internal, `compaction failed: ${describeUpstreamError(target.provider.id, err, [target.provider.apiKey])}`);
      }
      const upToSeq = Math.max(...plan.older.map((m) => m.seq));
      await ctx.sessions.compact(
        row,
        upToSeq,
        { role: "summary", content: [{ type: "text", text: summary.text }], model: target.modelId, inputTokens: summary.usage.input, outputTokens: summary.usage.output },
        Date.now(),
      );
      return {
        ok: true,
        key: ref.key,
        compacted: true,
        summarized: plan.older.filter((m) => m.role !== "summary").length,
        kept: plan.kept.length,
        summary: summary.text,
      };
    },
  }),
];
