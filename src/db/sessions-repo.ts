import { and, asc, desc, eq, isNull, lte, sql } from "drizzle-orm";
import type { Database } from "./client";
import { sessionArchives, sessionMessages, sessions } from "./schema";

export type SessionRow = typeof sessions.$inferSelect;
export type MessageRow = typeof sessionMessages.$inferSelect;
export type ArchiveRow = typeof sessionArchives.$inferSelect;

export interface NewMessage {
  role: MessageRow["role"];
  /** Display parts, stored as JSON. */
  content: unknown[];
  /** Model messages for later turns, when they differ from `content`. */
  context?: unknown[];
  runId?: string;
  model?: string;
  stopReason?: string;
  errorMessage?: string;
  inputTokens?: number;
  outputTokens?: number;
}

/** What a new message changes on its session row besides the counters. */
export interface SessionTouch {
  preview?: string;
  /** Set as the derived title only while the session has none. */
  title?: string;
  model?: string;
}

const PREVIEW_CHARS = 160;
export const shorten = (text: string, max = PREVIEW_CHARS) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
};

/**
 * Sessions and their transcripts. Writes that belong together (a message and its session's
 * counters, a reset and its archive row) go in one D1 batch, which D1 runs as a transaction.
 */
export function sessionsRepo(db: Database) {
  const nextSeq = (tenantId: string, sessionId: string) =>
    sql<number>`(select coalesce(max(${sessionMessages.seq}), 0) + 1 from ${sessionMessages} where ${sessionMessages.tenantId} = ${tenantId} and ${sessionMessages.sessionId} = ${sessionId})`;

  return {
    get: (tenantId: string, key: string): Promise<SessionRow | undefined> =>
      db.select().from(sessions).where(and(eq(sessions.tenantId, tenantId), eq(sessions.key, key))).get(),

    /** Every session key of the tenant (to know a new session without asking D1 each time). */
    keys: async (tenantId: string): Promise<string[]> =>
      (await db.select({ key: sessions.key }).from(sessions).where(eq(sessions.tenantId, tenantId)).all()).map((r) => r.key),

    list: (tenantId: string, limit: number): Promise<SessionRow[]> =>
      db.select().from(sessions).where(eq(sessions.tenantId, tenantId)).orderBy(desc(sessions.updatedAtMs)).limit(limit).all(),

    /**
     * The session row (created, empty, when missing) and its newest `limit` uncompacted
     * messages, oldest first, in one D1 round trip: a run on a session not yet cached waits
     * for this before it can call the model.
     */
    async open(tenantId: string, key: string, agentId: string, nowMs: number, limit: number): Promise<{ row: SessionRow; messages: MessageRow[] }> {
      const current = db
        .select({ sessionId: sessions.sessionId })
        .from(sessions)
        .where(and(eq(sessions.tenantId, tenantId), eq(sessions.key, key)));
      const [, rows, messages] = await db.batch([
        db.insert(sessions).values({ tenantId, key, agentId, sessionId: crypto.randomUUID(), createdAtMs: nowMs, updatedAtMs: nowMs }).onConflictDoNothing(),
        db.select().from(sessions).where(and(eq(sessions.tenantId, tenantId), eq(sessions.key, key))),
        db
          .select()
          .from(sessionMessages)
          .where(and(eq(sessionMessages.tenantId, tenantId), eq(sessionMessages.sessionId, current), isNull(sessionMessages.compactedAtMs)))
          .orderBy(desc(sessionMessages.seq))
          .limit(limit),
      ]);
      return { row: rows[0]!, messages: messages.reverse() };
    },

    /**
     * Appends a message to the session's current transcript and updates its counters. The
     * session row is created first if it does not exist yet (a new session is stored with its
     * first message).
     */
    async append(tenantId: string, session: SessionRow, msg: NewMessage, touch: SessionTouch, nowMs: number): Promise<void> {
      const inputTokens = msg.inputTokens ?? 0;
      const outputTokens = msg.outputTokens ?? 0;
      await db.batch([
        db.insert(sessions).values({ ...session, tenantId }).onConflictDoNothing(),
        db.insert(sessionMessages).values({
          tenantId,
          sessionId: session.sessionId,
          seq: nextSeq(tenantId, session.sessionId),
          role: msg.role,
          content: JSON.stringify(msg.content),
          context: msg.context ? JSON.stringify(msg.context) : null,
          runId: msg.runId ?? null,
          model: msg.model ?? null,
          stopReason: msg.stopReason ?? null,
          errorMessage: msg.errorMessage ?? null,
          inputTokens: msg.inputTokens ?? null,
          outputTokens: msg.outputTokens ?? null,
          createdAtMs: nowMs,
        }),
        db
          .update(sessions)
          .set({
            messageCount: sql`${sessions.messageCount} + 1`,
            inputTokens: sql`${sessions.inputTokens} + ${inputTokens}`,
            outputTokens: sql`${sessions.outputTokens} + ${outputTokens}`,
            ...(touch.preview !== undefined ? { lastPreview: shorten(touch.preview) } : {}),
            ...(touch.title !== undefined ? { title: sql`coalesce(${sessions.title}, ${shorten(touch.title, 80)})` } : {}),
            ...(touch.model !== undefined ? { model: touch.model } : {}),
            updatedAtMs: nowMs,
          })
          .where(and(eq(sessions.tenantId, tenantId), eq(sessions.key, session.key))),
      ]);
    },

    /** The newest `limit` messages of a transcript, oldest first. */
    async messages(tenantId: string, sessionId: string, opts: { limit: number; includeCompacted?: boolean }): Promise<MessageRow[]> {
      const where = and(
        eq(sessionMessages.tenantId, tenantId),
        eq(sessionMessages.sessionId, sessionId),
        opts.includeCompacted ? undefined : isNull(sessionMessages.compactedAtMs),
      );
      const rows = await db.select().from(sessionMessages).where(where).orderBy(desc(sessionMessages.seq)).limit(opts.limit).all();
      return rows.reverse();
    },

    /** Archives the current transcript and starts an empty one under a new id. */
    async reset(tenantId: string, session: SessionRow, newSessionId: string, reason: string, nowMs: number): Promise<void> {
      await db.batch([
        db.insert(sessionArchives).values({
          tenantId,
          sessionKey: session.key,
          sessionId: session.sessionId,
          reason,
          messageCount: session.messageCount,
          inputTokens: session.inputTokens,
          outputTokens: session.outputTokens,
          archivedAtMs: nowMs,
        }),
        db
          .update(sessions)
          .set({
            sessionId: newSessionId,
            title: null,
            lastPreview: null,
            messageCount: 0,
            inputTokens: 0,
            outputTokens: 0,
            updatedAtMs: nowMs,
          })
          .where(and(eq(sessions.tenantId, tenantId), eq(sessions.key, session.key), eq(sessions.sessionId, session.sessionId))),
      ]);
    },

    archives: (tenantId: string, key: string): Promise<ArchiveRow[]> =>
      db
        .select()
        .from(sessionArchives)
        .where(and(eq(sessionArchives.tenantId, tenantId), eq(sessionArchives.sessionKey, key)))
        .orderBy(asc(sessionArchives.archivedAtMs))
        .all(),

    /**
     * Hides messages up to `upToSeq` from the model and adds `summary` in their place. The
     * hidden rows stay in the transcript.
     */
    async compact(tenantId: string, session: SessionRow, upToSeq: number, summary: NewMessage, nowMs: number): Promise<void> {
      await db.batch([
        db
          .update(sessionMessages)
          .set({ compactedAtMs: nowMs })
          .where(
            and(
              eq(sessionMessages.tenantId, tenantId),
              eq(sessionMessages.sessionId, session.sessionId),
              lte(sessionMessages.seq, upToSeq),
              isNull(sessionMessages.compactedAtMs),
            ),
          ),
        db.insert(sessionMessages).values({
          tenantId,
          sessionId: session.sessionId,
          seq: nextSeq(tenantId, session.sessionId),
          role: "summary",
          content: JSON.stringify(summary.content),
          model: summary.model ?? null,
          inputTokens: summary.inputTokens ?? null,
          outputTokens: summary.outputTokens ?? null,
          createdAtMs: nowMs,
        }),
        db
          .update(sessions)
          .set({
            inputTokens: sql`${sessions.inputTokens} + ${summary.inputTokens ?? 0}`,
            outputTokens: sql`${sessions.outputTokens} + ${summary.outputTokens ?? 0}`,
            updatedAtMs: nowMs,
          })
          .where(and(eq(sessions.tenantId, tenantId), eq(sessions.key, session.key))),
      ]);
    },
  };
}
