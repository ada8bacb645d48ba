/**
 * The events one run emits (wire-protocol.md §4-§5): `agent` events numbered per run from 1,
 * and `chat` events whose deltas carry the whole text so far, throttled so a fast model does
 * not flood dashboards (the final event always carries the complete text).
 */
export type Broadcast = (event: string, payload: unknown) => void;

export const CHAT_DELTA_INTERVAL_MS = 150; // ≤ ~7 chat deltas per second per run

export type ChatFinalState = "final" | "aborted" | "error";

export interface AssistantMessage {
  role: "assistant";
  content: { type: "text"; text: string }[];
  timestamp: number;
}

export class RunEmitter {
  private agentSeq = 0;
  private chatSeq = 0;
  private text = "";
  private lastChatAt = 0;
  private chatPending = false;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly broadcast: Broadcast,
    readonly runId: string,
    readonly sessionKey: string,
    private readonly now: () => number = Date.now,
  ) {}

  private agent(stream: "lifecycle" | "assistant" | "tool" | "error", data: Record<string, unknown>) {
    this.broadcast("agent", { runId: this.runId, seq: ++this.agentSeq, stream, ts: this.now(), sessionKey: this.sessionKey, data });
  }

  private chat(state: "delta" | ChatFinalState, extra: Record<string, unknown>) {
    this.broadcast("chat", { runId: this.runId, sessionKey: this.sessionKey, seq: ++this.chatSeq, state, ...extra });
  }

  private message(text: string, timestamp = this.now()): AssistantMessage {
    return { role: "assistant", content: [{ type: "text", text }], timestamp };
  }

  start(extra: Record<string, unknown> = {}) {
    this.agent("lifecycle", { phase: "start", startedAt: this.now(), ...extra });
  }

  assistantDelta(delta: string) {
    this.text += delta;
    this.agent("assistant", { text: this.text, delta });
    const now = this.now();
    if (now - this.lastChatAt >= CHAT_DELTA_INTERVAL_MS) {
      this.flushChat();
    } else if (!this.chatPending) {
      // A trailing delta so the dashboard catches up even if the model pauses.
      this.chatPending = true;
      this.flushTimer = setTimeout(() => this.flushChat(), CHAT_DELTA_INTERVAL_MS - (now - this.lastChatAt));
    }
  }

  private flushChat() {
    this.cancelFlush();
    this.lastChatAt = this.now();
    this.chat("delta", { message: this.message(this.text) });
  }

  private cancelFlush() {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.chatPending = false;
  }

  tool(phase: "start" | "update" | "result", call: { name: string; toolCallId: string; args?: unknown; result?: unknown; isError?: boolean }) {
    this.agent("tool", { phase, ...call });
  }

  /**
   * The run ended: one lifecycle event and the chat event that closes the run for clients.
   * `endedAt` is the time the run record and the stored message carry, so clients can match them.
   */
  finish(state: ChatFinalState, o: { endedAt: number; text: string; stopReason?: string; errorMessage?: string; usage?: { input: number; output: number } }) {
    this.cancelFlush();
    const { endedAt } = o;
    if (state === "error") {
      this.agent("error", { message: o.errorMessage });
      this.agent("lifecycle", { phase: "error", endedAt, error: o.errorMessage });
    } else {
      this.agent("lifecycle", { phase: "end", endedAt, ...(state === "aborted" ? { aborted: true } : {}), ...(o.usage ? { usage: o.usage } : {}) });
    }
    this.chat(state, {
      ...(o.text || state !== "error" ? { message: this.message(o.text, endedAt) } : {}),
      ...(o.errorMessage ? { errorMessage: o.errorMessage } : {}),
      ...(o.stopReason ? { stopReason: o.stopReason } : {}),
      ...(o.usage ? { usage: o.usage } : {}),
    });
  }
}
