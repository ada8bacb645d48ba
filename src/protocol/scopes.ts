import { authFailed } from "./errors";

/** Operator scopes of wire-protocol.md §3. */
export const OPERATOR_SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.pairing",
] as const;
export type OperatorScope = (typeof OPERATOR_SCOPES)[number];
export type Role = "operator" | "node";

/**
 * What a method needs. `node` methods are for node-role connections only; every other
 * level is an operator scope. A method defined without one needs `admin`.
 */
export type MethodAccess = "read" | "write" | "admin" | "approvals" | "pairing" | "node";

/** Scopes that satisfy each access level; admin satisfies everything. */
const SATISFIED_BY: Record<Exclude<MethodAccess, "node">, readonly OperatorScope[]> = {
  read: ["operator.read", "operator.write", "operator.admin"],
  write: ["operator.write", "operator.admin"],
  admin: ["operator.admin"],
  approvals: ["operator.approvals", "operator.admin"],
  pairing: ["operator.pairing", "operator.admin"],
};

const REQUIRED_SCOPE_NAME: Record<Exclude<MethodAccess, "node">, OperatorScope> = {
  read: "operator.read",
  write: "operator.write",
  admin: "operator.admin",
  approvals: "operator.approvals",
  pairing: "operator.pairing",
};

/** Throws Auth Failed when a connection may not call a method of this access level. */
export function authorize(access: MethodAccess, role: Role, scopes: readonly string[]): void {
  if (access === "node") {
    if (role !== "node") throw authFailed("unauthorized role: operator");
    return;
  }
  if (role === "node") throw authFailed("unauthorized role: node");
  if (!SATISFIED_BY[access].some((s) => scopes.includes(s))) {
    throw authFailed(`missing scope: ${REQUIRED_SCOPE_NAME[access]}`);
  }
}

/** Whether a connection may receive events guarded by a scope (approvals/pairing events). */
export function hasScope(scopes: readonly string[], access: Exclude<MethodAccess, "node">): boolean {
  return SATISFIED_BY[access].some((s) => scopes.includes(s));
}
