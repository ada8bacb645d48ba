import { stepCountIs, streamText, type ModelMessage, type ToolSet } from "ai";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { ThinkingLevel } from "../config/schema";
import type { RunEmitter } from "./run-events";
import type { DisplayPart } from "./transcript";
import { describeUpstreamError } from "./upstream-errors";
import type { z } from "zod";

export interface ModelCall {
  model: LanguageModelV4;
  providerId: string;
  system: string;
  messages: ModelMessage[];
  tools: ToolSet;
  maxSteps: number;
  /** Only for models that reason; others get the provider default. */
  thinking?: z.infer<typeof ThinkingLevel>;
  signal: AbortSignal;
  /** Values that must never appear in an error message (the provider key). */
  secrets: readonly (string | undefined)[];
}

export interface RunOutcome {
  status: "ok" | "error" | "aborted";
  /** The assistant turn as clients see it (text, thinking, tool calls and results). */
  parts: DisplayPart[];
  text: string;
  usage: { input: number; output: number };
  stopReason?: string;
  errorMessage?: string;
}

/** Streams one agent turn (possibly several model calls around tool calls) into `emit`. */
export async function streamRun(call: ModelCall, emit: RunEmitter): Promise<RunOutcome> {
  const parts: DisplayPart[] = [];
  let text = "";
  const usage = { input: 0, output: 0 };
  let stopReason: string | undefined;
  let failure: unknown;

  const appendText = (delta: string) => {
    const last = parts[parts.length - 1];
    if (last?.type === "text") last.text += delta;
    else parts.push({ type: "text", text: delta });
    text += delta;
    emit.assistantDelta(delta);
  };
  const appendThinking = (delta: string) => {
    const last = parts[parts.length - 1];
    if (last?.type === "thinking") last.thinking += delta;
    else parts.push({ type: "thinking", thinking: delta });
  };

  try {
    const result = streamText({
      model: call.model,
      system: call.system,
      messages: call.messages,
      tools: call.tools,
      stopWhen: stepCountIs(call.maxSteps),
      abortSignal: call.signal,
      // One attempt: a failed call ends the run with a clear error instead of a silent wait.
      maxRetries: 0,
      // Errors arrive as stream parts and are reported scrubbed; the SDK's default handler
      // would log the raw error (provider bodies can echo keys).
      onError: () => {},
      ...(call.thinking ? { reasoning: call.thinking === "off" ? "none" : call.thinking } : {}),
    });
    for await (const part of result.fullStream) {
      switch (part.type) {
        case "text-delta":
          if (part.text) appendText(part.text);
          break;
        case "reasoning-delta":
          if (part.text) appendThinking(part.text);
          break;
        case "tool-call":
          parts.push({ type: "toolCall", id: part.toolCallId, name: part.toolName, arguments: part.input });
          emit.tool("start", { name: part.toolName, toolCallId: part.toolCallId, args: part.input });
          break;
        case "tool-result":
          parts.push({ type: "toolResult", toolCallId: part.toolCallId, toolName: part.toolName, result: part.output });
          emit.tool("result", { name: part.toolName, toolCallId: part.toolCallId, result: part.output, isError: false });
          break;
        case "tool-error": {
          const message = part.error instanceof Error ? part.error.message : "tool failed";
          parts.push({ type: "toolResult", toolCallId: part.toolCallId, toolName: part.toolName, result: message, isError: true });
          emit.tool("result", { name: part.toolName, toolCallId: part.toolCallId, result: message, isError: true });
          break;
        }
        case "finish-step":
          usage.input += part.usage.inputTokens ?? 0;
          usage.output += part.usage.outputTokens ?? 0;
          stopReason = part.finishReason;
          break;
        case "error":
          failure ??= part.error;
          break;
        default:
          break;
      }
    }
  } catch (err) {
    failure ??= err;
  }

  if (call.signal.aborted) return { status: "aborted", parts, text, usage, stopReason: "aborted" };
  if (failure !== undefined) {
    return { status: "error", parts, text, usage, stopReason: "error", errorMessage: describeUpstreamError(call.providerId, failure, call.secrets) };
  }
  return { status: "ok", parts, text, usage, ...(stopReason ? { stopReason } : {}) };
}
