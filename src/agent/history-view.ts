import type { MessageRow } from "../db/sessions-repo";
import { parseRow } from "./transcript";

/**
 * Transcript rows as `chat.history` returns them (the ArgentOS message shape). A compaction
 * summary stands first, as a `system` message with `kind: "summary"`: it replaces the turns
 * before the kept ones.
 */
export function historyView(rows: readonly MessageRow[]) {
  const view = rows.map((row) => {
    const { content } = parseRow(row);
    const usage = row.inputTokens !== null || row.outputTokens !== null ? { input: row.inputTokens ?? 0, output: row.outputTokens ?? 0 } : undefined;
    return {
      role: row.role === "summary" ? "system" : row.role,
      ...(row.role === "summary" ? { kind: "summary" } : {}),
      content,
      timestamp: row.createdAtMs,
      seq: row.seq,
      ...(row.runId ? { runId: row.runId } : {}),
      ...(row.model ? { model: row.model } : {}),
      ...(row.stopReason ? { stopReason: row.stopReason } : {}),
      ...(row.errorMessage ? { errorMessage: row.errorMessage } : {}),
      ...(usage ? { usage } : {}),
    };
  });
  return [...view.filter((m) => m.role === "system"), ...view.filter((m) => m.role !== "system")];
}
