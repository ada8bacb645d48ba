/**
 * One error type for every failure a client can see. It carries the reference's JSON-RPC
 * code; the v3 code, message prefix and details are derived when the frame is encoded, so
 * both framings always agree (wire-protocol.md §1, "Error codes").
 */
export const ErrorKind = {
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  Internal: -32603,
  AgentBusy: -32000,
  SessionNotFound: -32001,
  AuthFailed: -32002,
} as const;
export type ErrorCode = (typeof ErrorKind)[keyof typeof ErrorKind];

export type V3ErrorCode = "INVALID_REQUEST" | "UNAVAILABLE" | "NOT_PAIRED";

export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Overrides the v3 code where the table names a special one (NOT_PAIRED). */
    readonly v3Code?: V3ErrorCode,
  ) {
    super(message);
  }
}

export const invalidRequest = (message: string, details?: Record<string, unknown>) =>
  new GatewayError(ErrorKind.InvalidRequest, message, details);
export const methodNotFound = (method: string) =>
  new GatewayError(ErrorKind.MethodNotFound, `unknown method: ${method}`);
export const invalidParams = (method: string, reason: string, details?: Record<string, unknown>) =>
  new GatewayError(ErrorKind.InvalidParams, `invalid ${method} params: ${reason}`, details);
export const authFailed = (message: string, details?: Record<string, unknown>) =>
  new GatewayError(ErrorKind.AuthFailed, message, details);
export const sessionNotFound = (sessionKey: string) =>
  new GatewayError(ErrorKind.SessionNotFound, `session not found: ${sessionKey}`, { sessionKey });
export const agentBusy = (sessionKey: string, runId: string) =>
  new GatewayError(ErrorKind.AgentBusy, `agent is busy: a run is active on session ${sessionKey}`, { runId, sessionKey });
export const internalError = () => new GatewayError(ErrorKind.Internal, "internal error");

const V3_BY_CODE: Record<ErrorCode, { code: V3ErrorCode; detailCode?: string }> = {
  [-32600]: { code: "INVALID_REQUEST" },
  [-32601]: { code: "INVALID_REQUEST" },
  [-32602]: { code: "INVALID_REQUEST" },
  [-32603]: { code: "UNAVAILABLE" },
  [-32000]: { code: "UNAVAILABLE", detailCode: "AGENT_BUSY" },
  [-32001]: { code: "INVALID_REQUEST", detailCode: "SESSION_NOT_FOUND" },
  [-32002]: { code: "INVALID_REQUEST" },
};

export function toV3Error(err: GatewayError) {
  const mapped = V3_BY_CODE[err.code];
  const details = mapped.detailCode ? { ...err.details, code: mapped.detailCode } : err.details;
  return {
    code: err.v3Code ?? mapped.code,
    message: err.message,
    ...(details && Object.keys(details).length > 0 ? { details } : {}),
  };
}

export function toJsonRpcError(err: GatewayError) {
  return {
    code: err.code,
    message: err.message,
    ...(err.details && Object.keys(err.details).length > 0 ? { data: err.details } : {}),
  };
}

/** Anything that is not a GatewayError becomes a bare Internal Error: no stack, no message. */
export function asGatewayError(err: unknown): GatewayError {
  return err instanceof GatewayError ? err : internalError();
}
