import { z } from "zod";
import { invalidParams, methodNotFound } from "./errors";
import type { MethodAccess } from "./scopes";
import type { MethodContext } from "../methods/context";

/**
 * A gateway method: the one place that says what it is called, who may call it, what
 * params it takes and what it does. `features.methods`, scope checks and params
 * validation are all derived from the registry built out of these.
 */
export interface MethodDef<S extends z.ZodType = z.ZodType, R = unknown> {
  name: string;
  access: MethodAccess;
  params: S;
  /**
   * Answered whenever it completes, without holding up the socket's later frames (methods
   * that wait, like `agent.wait`). Other methods are answered in the order they arrived.
   */
  detached?: boolean;
  handler: (ctx: MethodContext, params: z.output<S>) => Promise<R> | R;
}

/** Helper that keeps the params type flowing from schema to handler. */
export function defineMethod<S extends z.ZodType, R>(def: MethodDef<S, R>): MethodDef<S, R> {
  return def;
}

/** A closed params object: unknown keys are Invalid Params. */
export const params = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape);
export const noParams = z.strictObject({});

export class MethodRegistry {
  private readonly byName = new Map<string, MethodDef>();

  constructor(defs: readonly MethodDef<any, any>[]) {
    for (const def of defs) {
      if (this.byName.has(def.name)) throw new Error(`method registered twice: ${def.name}`);
      this.byName.set(def.name, def as MethodDef);
    }
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  find(method: string): MethodDef | undefined {
    return this.byName.get(method);
  }

  lookup(method: string): MethodDef {
    const def = this.byName.get(method);
    if (!def) throw methodNotFound(method);
    return def;
  }

  parseParams(def: MethodDef, raw: unknown): unknown {
    const result = def.params.safeParse(raw);
    if (!result.success) throw invalidParams(def.name, describeIssues(result.error), { issues: summarize(result.error) });
    return result.data;
  }
}

type Issue = z.core.$ZodIssue;

/** For unions, report the branch that got furthest (fewest issues) instead of "invalid input". */
function flatten(issues: readonly Issue[], base: PropertyKey[] = []): { path: PropertyKey[]; issue: Issue }[] {
  const out: { path: PropertyKey[]; issue: Issue }[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      out.push(...flatten(best, path));
    } else {
      out.push({ path, issue });
    }
  }
  return out;
}

export const formatPath = (path: readonly PropertyKey[]) =>
  path.map((p) => (typeof p === "number" ? `[${p}]` : String(p))).join(".").replace(/\.\[/g, "[");

function describeOne({ path, issue }: { path: PropertyKey[]; issue: Issue }): string {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => `unknown property "${formatPath([...path, k])}"`).join(", ");
  }
  const where = path.length > 0 ? formatPath(path) : "params";
  return `${where}: ${issue.message}`;
}

export function describeIssues(error: z.ZodError): string {
  return flatten(error.issues).map(describeOne).join("; ");
}

function summarize(error: z.ZodError) {
  return flatten(error.issues)
    .slice(0, 10)
    .map(({ path, issue }) => ({ path: formatPath(path), message: describeOne({ path, issue }) }));
}
