import type { ModelMessage } from "ai";
import type { MessageRow } from "../db/sessions-repo";

/**
 * The two forms of a conversation: display parts (what `chat.history` returns and D1
 * stores as `content`) and AI SDK model messages (what the model is sent on later turns).
 */
export type DisplayPart =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string }
  | { type: "image"; mimeType: string; bytes: number; omitted: true }
  | { type: "toolCall"; id: string; name: string; arguments: unknown }
  | { type: "toolResult"; toolCallId: string; toolName: string; result: unknown; isError?: boolean };

export const textOf = (parts: readonly DisplayPart[]) =>
  parts
    .filter((p): p is Extract<DisplayPart, { type: "text" }> => p.type === "text")
    .map((p) => p.text)
    .join("");

/**
 * Model messages for an assistant turn built from its display parts: text and tool calls
 * in order, each tool result in a tool message after the call. Calls without a result (a
 * run cut short mid-tool) are left out: providers refuse a call with no answer.
 */
export function assistantContext(parts: readonly DisplayPart[]): ModelMessage[] {
  const answered = new Set(parts.filter((p) => p.type === "toolResult").map((p) => (p as { toolCallId: string }).toolCallId));
  const out: ModelMessage[] = [];
  let assistant: Exclude<Extract<ModelMessage, { role: "assistant" }>["content"], string> = [];
  let results: Exclude<Extract<ModelMessage, { role: "tool" }>["content"], string> = [];
  const flush = () => {
    if (assistant.length > 0) out.push({ role: "assistant", content: assistant });
    if (results.length > 0) out.push({ role: "tool", content: results });
    assistant = [];
    results = [];
  };
  for (const part of parts) {
    if (part.type === "text" && part.text) {
      if (results.length > 0) flush();
      assistant.push({ type: "text", text: part.text });
    } else if (part.type === "toolCall" && answered.has(part.id)) {
      if (results.length > 0) flush();
      assistant.push({ type: "tool-call", toolCallId: part.id, toolName: part.name, input: part.arguments });
    } else if (part.type === "toolResult") {
      results.push({
        type: "tool-result",
        toolCallId: part.toolCallId,
        toolName: part.toolName,
        output: part.isError ? { type: "error-text", value: String(part.result) } : { type: "json", value: (part.result ?? null) as never },
      });
    }
  }
  flush();
  return out;
}

export interface StoredTurn {
  role: MessageRow["role"];
  content: DisplayPart[];
  context: ModelMessage[] | null;
}

export function parseRow(row: MessageRow): StoredTurn {
  return {
    role: row.role,
    content: JSON.parse(row.content) as DisplayPart[],
    context: row.context ? (JSON.parse(row.context) as ModelMessage[]) : null,
  };
}

/** What the model sees of earlier turns (summaries go into the system prompt instead). */
export function historyMessages(turns: readonly StoredTurn[]): ModelMessage[] {
  const out: ModelMessage[] = [];
  for (const turn of turns) {
    if (turn.role === "user") {
      const images = turn.content.filter((p) => p.type === "image").length;
      const text = textOf(turn.content) + (images > 0 ? `\n[${images} image(s) were attached to this message]` : "");
      out.push({ role: "user", content: text });
    } else if (turn.role === "assistant") {
      out.push(...(turn.context ?? assistantContext(turn.content)));
    }
  }
  return out;
}

/** The newest summary in the transcript, if the session was compacted. */
export function latestSummary(turns: readonly StoredTurn[]): string | undefined {
  for (let i = turns.length - 1; i >= 0; i--) if (turns[i]!.role === "summary") return textOf(turns[i]!.content);
  return undefined;
}
