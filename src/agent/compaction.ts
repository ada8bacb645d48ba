import { generateText } from "ai";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { MessageRow } from "../db/sessions-repo";
import { parseRow, textOf } from "./transcript";

/** How many of the newest messages a compaction keeps verbatim by default. */
export const DEFAULT_KEEP_MESSAGES = 6;
const MAX_TRANSCRIPT_CHARS = 400_000;

export interface CompactionPlan {
  /** Messages to fold into the summary (an earlier summary first, if any). */
  older: MessageRow[];
  kept: MessageRow[];
}

/**
 * Splits a transcript into what is summarised and what is kept: the newest `keep` messages,
 * moved back so the kept part starts with a user message (an answer is never split from its
 * question). Undefined when there is nothing older to fold.
 */
export function planCompaction(rows: readonly MessageRow[], keep: number): CompactionPlan | undefined {
  const turns = rows.filter((r) => r.role !== "summary");
  if (turns.length <= keep) return undefined;
  let cut = turns.length - keep;
  while (cut > 0 && turns[cut]!.role !== "user") cut--;
  if (cut === 0) return undefined;
  const boundary = turns[cut]!.seq;
  return { older: rows.filter((r) => r.seq < boundary || r.role === "summary"), kept: rows.filter((r) => r.role !== "summary" && r.seq >= boundary) };
}

/** The older part as plain text for the summariser (tool calls shown by name). */
export function transcriptText(rows: readonly MessageRow[]): string {
  const lines = rows.map((row) => {
    const { content } = parseRow(row);
    const tools = content.filter((p) => p.type === "toolCall").map((p) => (p as { name: string }).name);
    const label = row.role === "summary" ? "Earlier summary" : row.role === "user" ? "User" : "Assistant";
    return `${label}: ${textOf(content)}${tools.length ? ` [used tools: ${tools.join(", ")}]` : ""}`;
  });
  const text = lines.join("\n\n");
  return text.length > MAX_TRANSCRIPT_CHARS ? text.slice(text.length - MAX_TRANSCRIPT_CHARS) : text;
}

export async function summarize(model: LanguageModelV4, rows: readonly MessageRow[], signal?: AbortSignal) {
  const result = await generateText({
    model,
    maxRetries: 0,
    abortSignal: signal,
    system:
      "You compact conversations. Write a concise summary of the conversation below that keeps every fact, decision, " +
      "open task, preference and name the assistant will need to continue it. Write it in the third person, as notes.",
    prompt: transcriptText(rows),
  });
  return { text: result.text.trim(), usage: { input: result.usage.inputTokens ?? 0, output: result.usage.outputTokens ?? 0 } };
}
