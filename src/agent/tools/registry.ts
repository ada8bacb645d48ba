import { tool, zodSchema, type Schema, type ToolSet } from "ai";
import type { z } from "zod";
import type { CronJobs } from "../../scheduler/cron-jobs";
import type { TaskService } from "../../scheduler/tasks";
import type { AgentFiles } from "../agent-files";
import type { SessionStore } from "../session-store";

/** What a tool may touch while it runs: the agent's own workspace, nothing of other tenants. */
export interface ToolContext {
  tenantId: string;
  agentId: string;
  /** Canonical key of the session the run belongs to. */
  sessionKey: string;
  files: AgentFiles;
  sessions: SessionStore;
  cron: CronJobs;
  tasks: TaskService;
  now: () => number;
  /** Fires when the run is aborted. */
  signal: AbortSignal;
}

/** A tool the model can call: zod-typed input, a plain async function. */
export interface AgentTool<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: S;
  execute: (input: z.output<S>, ctx: ToolContext) => Promise<unknown> | unknown;
}

export const defineTool = <S extends z.ZodType>(t: AgentTool<S>): AgentTool<S> => t;

/** A tool's failure the model should read (bad URL, file too large): shown as its message. */
export class ToolFailure extends Error {}

/**
 * The tools every run gets. Capabilities add theirs to the one list in tools/index.ts.
 */
export class ToolRegistry {
  private readonly byName = new Map<string, AgentTool>();
  /** Converted to JSON Schema once per isolate (the SDK caches it on this object), not per run. */
  private readonly schemas = new Map<string, Schema<unknown>>();

  constructor(tools: readonly AgentTool<any>[]) {
    for (const t of tools) {
      if (this.byName.has(t.name)) throw new Error(`tool registered twice: ${t.name}`);
      this.byName.set(t.name, t as AgentTool);
      this.schemas.set(t.name, zodSchema(t.input));
    }
  }

  get tools(): AgentTool[] {
    return [...this.byName.values()];
  }

  /** The AI SDK tool set for one run, bound to that run's context. */
  toolSet(ctx: ToolContext): ToolSet {
    const set: ToolSet = {};
    for (const t of this.byName.values()) {
      set[t.name] = tool({
        description: t.description,
        inputSchema: this.schemas.get(t.name)!,
        execute: async (input: unknown) => {
          try {
            return await t.execute(input, ctx);
          } catch (err) {
            // Only deliberate failures reach the model verbatim; anything else is opaque.
            throw err instanceof ToolFailure ? err : new Error(`${t.name} failed`);
          }
        },
      });
    }
    return set;
  }
}
