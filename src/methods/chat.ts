import { z } from "zod";
import { ThinkingLevel } from "../config/schema";
import type { ImageInput, RunRecord, RunRequest } from "../agent/run-manager";
import { SessionKeyParam, isMainSession, resolveSessionKey } from "../agent/session-keys";
import { historyView } from "../agent/history-view";
import { invalidParams, sessionNotFound } from "../protocol/errors";
import { defineMethod, params } from "../protocol/registry";
import type { MethodContext } from "./context";

const MAX_IMAGES = 8;
const MAX_IMAGE_BYTES = 5 * 1024 * 1024; // the largest image Anthropic and OpenAI accept
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/** `images: [{mimeType, data}]` as the reference writes them. */
const ImageParam = z.strictObject({
  type: z.literal("image").optional(),
  mimeType: z.string().max(100),
  data: z.string().min(1),
  fileName: z.string().max(256).optional(),
});
/** v3 clients send `attachments: [{type, mimeType, fileName, content}]` (content base64). */
const AttachmentParam = z.strictObject({
  type: z.string().max(32).optional(),
  mimeType: z.string().max(100).optional(),
  fileName: z.string().max(256).optional(),
  content: z.string().min(1),
});

/** Fields both `chat.send` and `agent` take. */
const RunFields = {
  message: z.string().max(200_000),
  model: z.string().min(3).max(200).optional(),
  thinking: ThinkingLevel.optional(),
  images: z.array(ImageParam).max(MAX_IMAGES).optional(),
  attachments: z.array(AttachmentParam).max(MAX_IMAGES).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
  /** Accepted for client compatibility; runs are bounded by maxSteps and the provider. */
  timeoutMs: z.int().min(0).optional(),
};

/** Images from either form, checked: supported type, valid base64, size. */
function imagesOf(method: string, p: { images?: z.infer<typeof ImageParam>[]; attachments?: z.infer<typeof AttachmentParam>[] }): ImageInput[] {
  const raw = [
    ...(p.images ?? []).map((img, i) => ({ where: `images[${i}]`, mimeType: img.mimeType, data: img.data })),
    ...(p.attachments ?? []).map((a, i) => ({ where: `attachments[${i}]`, mimeType: a.mimeType ?? "", data: a.content })),
  ];
  if (raw.length > MAX_IMAGES) throw invalidParams(method, `at most ${MAX_IMAGES} images per message`);
  return raw.map(({ where, mimeType, data }) => {
    const dataUrl = /^data:([^;,]+);base64,/.exec(data);
    const type = (dataUrl?.[1] ?? mimeType).toLowerCase();
    const b64 = dataUrl ? data.slice(dataUrl[0].length) : data;
    if (!IMAGE_TYPES.includes(type)) throw invalidParams(method, `${where}: only images are supported (${IMAGE_TYPES.join(", ")}), got "${type || "no mimeType"}"`);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 === 1) throw invalidParams(method, `${where}: data is not base64`);
    if ((b64.length * 3) / 4 > MAX_IMAGE_BYTES) throw invalidParams(method, `${where}: larger than ${MAX_IMAGE_BYTES} bytes`);
    return { mimeType: type, data: b64 };
  });
}

function runRequest(method: string, kind: RunRecord["kind"], p: z.infer<z.ZodObject<typeof RunFields>> & { sessionKey?: string; agentId?: string; extraSystemPrompt?: string }): RunRequest {
  const images = imagesOf(method, p);
  if (p.message.trim() === "" && images.length === 0) throw invalidParams(method, "message: must not be empty");
  return {
    kind,
    method,
    message: p.message,
    images,
    ...(p.sessionKey ? { sessionKey: p.sessionKey } : {}),
    ...(p.agentId ? { agentId: p.agentId } : {}),
    ...(p.model ? { model: p.model } : {}),
    ...(p.thinking ? { thinking: p.thinking } : {}),
    ...(p.idempotencyKey ? { idempotencyKey: p.idempotencyKey } : {}),
    ...(p.extraSystemPrompt ? { extraSystemPrompt: p.extraSystemPrompt } : {}),
  };
}

/** How a finished run answers: `agent`'s final response, duplicates, `agent.wait`. */
function finalView(r: RunRecord) {
  return {
    runId: r.runId,
    status: r.status === "ok" ? "ok" : "error",
    ...(r.status === "aborted" ? { aborted: true } : {}),
    summary: r.status === "aborted" ? "aborted" : (r.summary ?? ""),
    ...(r.error ? { error: r.error } : {}),
  };
}

/** A session that must exist (the main session always does). */
export async function requireSession(ctx: MethodContext, sessionKey: string) {
  const ref = resolveSessionKey(sessionKey);
  const row = await ctx.sessions.find(ref.key);
  if (!row && !isMainSession(ref)) throw sessionNotFound(ref.key);
  return { ref, row };
}

export const chatMethods = [
  defineMethod({
    name: "chat.send",
    access: "write",
    params: params({ sessionKey: SessionKeyParam.default("main"), ...RunFields, deliver: z.boolean().optional() }),
    async handler(ctx, p) {
      const admission = await ctx.runs.admit(runRequest("chat.send", "chat", p));
      if (!admission.fresh) {
        const r = admission.record;
        return r.status === "running" ? { runId: r.runId, status: "in_flight" } : { runId: r.runId, status: r.status, ...(r.error ? { error: r.error } : {}) };
      }
      ctx.afterResponse(admission.begin);
      return { runId: admission.record.runId, status: "started" };
    },
  }),

  defineMethod({
    name: "chat.abort",
    access: "write",
    params: params({ sessionKey: SessionKeyParam.default("main"), runId: z.string().min(1).max(200).optional() }),
    handler: (ctx, p) => ({ ok: true, ...ctx.runs.abort(p.sessionKey, p.runId) }),
  }),

  defineMethod({
    name: "chat.history",
    access: "read",
    params: params({ sessionKey: SessionKeyParam.default("main"), limit: z.int().min(1).max(1000).default(200) }),
    async handler(ctx, p) {
      const { ref, row } = await requireSession(ctx, p.sessionKey);
      const config = (await ctx.config.load()).resolved;
      const messages = row ? historyView(await ctx.sessions.messages(row, p.limit)) : [];
      return {
        sessionKey: ref.key,
        sessionId: row?.sessionId ?? null,
        messages,
        thinkingLevel: config.agents.defaults.thinkingDefault,
      };
    },
  }),

  defineMethod({
    name: "agent",
    access: "write",
    params: params({
      ...RunFields,
      sessionKey: SessionKeyParam.optional(),
      agentId: z.string().min(1).max(64).optional(),
      extraSystemPrompt: z.string().max(20_000).optional(),
      label: z.string().max(200).optional(),
      /** Delivery to channels arrives with the channels capability; accepted and ignored until then. */
      deliver: z.boolean().optional(),
      channel: z.string().max(64).optional(),
      timeout: z.int().min(0).optional(),
    }),
    async handler(ctx, p) {
      const admission = await ctx.runs.admit(runRequest("agent", "agent", p));
      const r = admission.record;
      if (!admission.fresh && r.status !== "running") return finalView(r);
      // v3 clients get the final status as a second response with the same id.
      ctx.followUp(ctx.runs.settled(r.runId).then((final) => finalView(final ?? r)));
      if (admission.fresh) ctx.afterResponse(admission.begin);
      return { runId: r.runId, status: admission.fresh ? "accepted" : "in_flight", acceptedAt: r.startedAt };
    },
  }),

  defineMethod({
    name: "agent.wait",
    access: "write",
    detached: true,
    params: params({
      runId: z.string().min(1).max(200).optional(),
      sessionKey: SessionKeyParam.optional(),
      timeoutMs: z.int().min(0).max(600_000).default(30_000),
    }),
    async handler(ctx, p) {
      const runId = p.runId ?? (p.sessionKey ? ctx.runs.lastRunOf(p.sessionKey) : undefined);
      if (!p.runId && !p.sessionKey) throw invalidParams("agent.wait", "runId or sessionKey is required");
      if (!runId) {
        await requireSession(ctx, p.sessionKey!);
        throw invalidParams("agent.wait", `no run to wait for on session ${resolveSessionKey(p.sessionKey).key}`);
      }
      const waited = await ctx.runs.wait(runId, p.timeoutMs);
      if (!waited) throw invalidParams("agent.wait", `unknown run "${runId}"`);
      const { record, timedOut } = waited;
      return {
        runId,
        status: timedOut ? "timeout" : record.status,
        startedAt: record.startedAt,
        ...(timedOut || record.endedAt === undefined ? {} : { endedAt: record.endedAt }),
        ...(record.error && !timedOut ? { error: record.error } : {}),
      };
    },
  }),
];
