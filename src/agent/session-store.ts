import type { Database } from "../db/client";
import { sessionsRepo, type MessageRow, type NewMessage, type SessionRow, type SessionTouch } from "../db/sessions-repo";
import { parseRow, type StoredTurn } from "./transcript";
import type { SessionRef } from "./session-keys";

/** Messages of a transcript that are read back as context (older ones are compacted away). */
export const CONTEXT_MESSAGE_LIMIT = 200;
const CACHED_SESSIONS = 32;

export interface OpenSession {
  row: SessionRow;
  turns: StoredTurn[];
}

/**
 * The tenant's sessions as the Durable Object sees them: D1 is the record, and the sessions
 * in use are cached here so a run starts without a D1 round trip. Every write of the tenant
 * goes through this one object (one Durable Object per tenant), so the cache stays true.
 * Writes of one session are chained, and reads of a session wait for its pending writes.
 */
export class SessionStore {
  private readonly repo: ReturnType<typeof sessionsRepo>;
  private readonly cache = new Map<string, OpenSession>();
  private readonly pending = new Map<string, Promise<unknown>>();
  /** The tenant's session keys, read once: a key not in it is a new session, with no history. */
  private known?: Promise<Set<string>>;

  constructor(
    db: Database,
    private readonly tenantId: string,
  ) {
    this.repo = sessionsRepo(db);
  }

  /** Resolves once every write queued for `key` so far has landed. */
  async settled(key: string): Promise<void> {
    await this.pending.get(key)?.catch(() => undefined);
  }

  async find(key: string): Promise<SessionRow | undefined> {
    await this.settled(key);
    return this.cache.get(key)?.row ?? (await this.repo.get(this.tenantId, key));
  }

  /** The session with its context turns, created on first use. */
  async open(ref: SessionRef, nowMs: number): Promise<OpenSession> {
    await this.settled(ref.key);
    const hit = this.cache.get(ref.key);
    if (hit) {
      this.touchLru(ref.key, hit);
      return hit;
    }
    const known = await this.knownKeys();
    if (!known.has(ref.key)) {
      // A new session needs nothing from D1 before its first turn; its row is written with
      // its first message.
      known.add(ref.key);
      const entry = { row: newSessionRow(this.tenantId, ref, nowMs), turns: [] };
      this.touchLru(ref.key, entry);
      return entry;
    }
    const { row, messages } = await this.repo.open(this.tenantId, ref.key, ref.agentId, nowMs, CONTEXT_MESSAGE_LIMIT);
    const entry = { row, turns: messages.map(parseRow) };
    this.touchLru(ref.key, entry);
    return entry;
  }

  /**
   * Queues a message for the session (after its earlier writes) and applies it to the cache
   * at once, so the next run sees it even before D1 confirms. The promise is the D1 write.
   */
  append(entry: OpenSession, msg: NewMessage, touch: SessionTouch, nowMs: number, o: { afterTick?: boolean } = {}): Promise<void> {
    const row = entry.row;
    const key = row.key;
    // `afterTick`: the write starts after the current task (e.g. once a provider request is
    // out); reads of the session still wait for it from now on.
    const store = () => this.repo.append(this.tenantId, row, msg, touch, nowMs);
    const write = this.chain(key, o.afterTick ? () => new Promise<void>((r) => setTimeout(r, 0)).then(store) : store);
    entry.turns.push({ role: msg.role, content: msg.content as StoredTurn["content"], context: (msg.context as StoredTurn["context"]) ?? null });
    if (entry.turns.length > CONTEXT_MESSAGE_LIMIT) entry.turns.splice(0, entry.turns.length - CONTEXT_MESSAGE_LIMIT);
    entry.row = {
      ...row,
      messageCount: row.messageCount + 1,
      inputTokens: row.inputTokens + (msg.inputTokens ?? 0),
      outputTokens: row.outputTokens + (msg.outputTokens ?? 0),
      lastPreview: touch.preview ?? row.lastPreview,
      title: row.title ?? touch.title ?? null,
      model: touch.model ?? row.model,
      updatedAtMs: nowMs,
    };
    return write;
  }

  async list(limit: number): Promise<SessionRow[]> {
    await Promise.all([...this.pending.values()].map((p) => p.catch(() => undefined)));
    return this.repo.list(this.tenantId, limit);
  }

  async messages(row: SessionRow, limit: number, includeCompacted = false): Promise<MessageRow[]> {
    await this.settled(row.key);
    return this.repo.messages(this.tenantId, row.sessionId, { limit, includeCompacted });
  }

  archives(key: string) {
    return this.repo.archives(this.tenantId, key);
  }

  async reset(row: SessionRow, reason: string, nowMs: number): Promise<string> {
    const newId = crypto.randomUUID();
    await this.chain(row.key, () => this.repo.reset(this.tenantId, row, newId, reason, nowMs));
    this.cache.delete(row.key);
    return newId;
  }

  async compact(row: SessionRow, upToSeq: number, summary: NewMessage, nowMs: number): Promise<void> {
    await this.chain(row.key, () => this.repo.compact(this.tenantId, row, upToSeq, summary, nowMs));
    this.cache.delete(row.key);
  }

  private knownKeys(): Promise<Set<string>> {
    this.known ??= this.repo.keys(this.tenantId).then(
      (keys) => new Set(keys),
      (err) => {
        this.known = undefined;
        throw err;
      },
    );
    return this.known;
  }

  private chain<T>(key: string, write: () => Promise<T>): Promise<T> {
    const run = (this.pending.get(key) ?? Promise.resolve()).catch(() => undefined).then(write);
    this.pending.set(key, run);
    void run
      .catch(() => this.cache.delete(key)) // the cache may now be ahead of D1: reload next time
      .finally(() => {
        if (this.pending.get(key) === run) this.pending.delete(key);
      });
    return run;
  }

  private touchLru(key: string, entry: OpenSession) {
    this.cache.delete(key);
    this.cache.set(key, entry);
    while (this.cache.size > CACHED_SESSIONS) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** A session with no messages yet (`sessionId` "" for one that has no transcript at all). */
export function newSessionRow(tenantId: string, ref: SessionRef, nowMs: number, sessionId: string = crypto.randomUUID()): SessionRow {
  return {
    tenantId,
    key: ref.key,
    agentId: ref.agentId,
    sessionId,
    label: null,
    title: null,
    lastPreview: null,
    model: null,
    messageCount: 0,
    inputTokens: 0,
    outputTokens: 0,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
}
