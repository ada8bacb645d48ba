import { z } from "zod";
import { FileTooLarge } from "../agent-files";
import { ToolFailure, defineTool } from "./registry";

/** The agent's long-term memory is its MEMORY.md alignment file. */
const MEMORY_FILE = "MEMORY.md";

export const memoryRead = defineTool({
  name: "memory_read",
  description: "Read your long-term memory (MEMORY.md): facts and notes you saved in earlier conversations.",
  input: z.object({}),
  async execute(_input, ctx) {
    const file = await ctx.files.get(ctx.agentId, MEMORY_FILE);
    return { content: file?.content ?? "", updatedAtMs: file?.updatedAtMs ?? null };
  },
});

export const memoryAppend = defineTool({
  name: "memory_append",
  description:
    "Append a note to your long-term memory (MEMORY.md). Use it for durable facts worth remembering in later conversations; keep notes short.",
  input: z.object({ text: z.string().min(1).max(8_000).describe("The note to add, in Markdown") }),
  async execute({ text }, ctx) {
    try {
      const stored = await ctx.files.append(ctx.agentId, MEMORY_FILE, text, ctx.now());
      return { ok: true, bytes: new TextEncoder().encode(stored.content).byteLength };
    } catch (err) {
      if (err instanceof FileTooLarge) throw new ToolFailure(`memory is full: ${err.message}`);
      throw err;
    }
  },
});
