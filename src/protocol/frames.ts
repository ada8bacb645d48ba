import { GatewayError, invalidRequest, toJsonRpcError, toV3Error } from "./errors";

/**
 * The two client framings (wire-protocol.md §1), detected per frame. A client is answered in
 * the framing of the request it sent.
 */
export type Framing = "jsonrpc" | "v3";
export type RequestId = string | number;

export interface DecodedRequest {
  framing: Framing;
  id: RequestId;
  method: string;
  params: unknown;
  /** JSON-RPC clients that send `"jsonrpc":"2.0"` get it echoed. */
  jsonrpc?: string;
}

/** A frame that could not be decoded still carries what we know to answer it properly. */
export class FrameError extends Error {
  constructor(
    readonly error: GatewayError,
    readonly framing: Framing | undefined,
    readonly id: RequestId | null,
    readonly jsonrpc?: string,
  ) {
    super(error.message);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function decodeRequest(text: string): DecodedRequest {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new FrameError(invalidRequest("malformed JSON"), undefined, null);
  }
  if (!isRecord(frame)) throw new FrameError(invalidRequest("frame must be a JSON object"), undefined, null);

  if (frame.type !== undefined) {
    const id = typeof frame.id === "string" && frame.id.length > 0 ? frame.id : null;
    if (frame.type !== "req") {
      throw new FrameError(invalidRequest(`unsupported frame type`), "v3", id);
    }
    if (id === null) throw new FrameError(invalidRequest("request id must be a non-empty string"), "v3", null);
    if (typeof frame.method !== "string" || frame.method.length === 0) {
      throw new FrameError(invalidRequest("request method must be a non-empty string"), "v3", id);
    }
    return { framing: "v3", id, method: frame.method, params: frame.params ?? {} };
  }

  const jsonrpc = typeof frame.jsonrpc === "string" ? frame.jsonrpc : undefined;
  const id = typeof frame.id === "string" || (typeof frame.id === "number" && Number.isFinite(frame.id)) ? frame.id : null;
  if (frame.method === undefined) {
    throw new FrameError(invalidRequest("frame is neither a JSON-RPC request nor a v3 frame"), undefined, id, jsonrpc);
  }
  if (jsonrpc !== undefined && jsonrpc !== "2.0") {
    throw new FrameError(invalidRequest('jsonrpc must be "2.0"'), "jsonrpc", id, jsonrpc);
  }
  if (id === null) throw new FrameError(invalidRequest("request id must be a string or a number"), "jsonrpc", null, jsonrpc);
  if (typeof frame.method !== "string" || frame.method.length === 0) {
    throw new FrameError(invalidRequest("request method must be a non-empty string"), "jsonrpc", id, jsonrpc);
  }
  return { framing: "jsonrpc", id, method: frame.method, params: frame.params ?? {}, jsonrpc };
}

interface ReplyTarget {
  framing: Framing;
  id: RequestId | null;
  jsonrpc?: string;
}

export function encodeResult(to: ReplyTarget, result: unknown): string {
  if (to.framing === "v3") return JSON.stringify({ type: "res", id: to.id, ok: true, payload: result });
  return JSON.stringify(to.jsonrpc ? { jsonrpc: to.jsonrpc, id: to.id, result } : { id: to.id, result });
}

export function encodeError(to: ReplyTarget, err: GatewayError): string {
  if (to.framing === "v3") return JSON.stringify({ type: "res", id: to.id, ok: false, error: toV3Error(err) });
  const error = toJsonRpcError(err);
  return JSON.stringify(to.jsonrpc ? { jsonrpc: to.jsonrpc, id: to.id, error } : { id: to.id, error });
}

/** Events are one shape for every client; `seq` only on broadcasts. */
export function encodeEvent(event: string, payload: unknown, seq?: number, extra?: Record<string, unknown>): string {
  return JSON.stringify({ type: "event", event, payload, ...(seq !== undefined ? { seq } : {}), ...extra });
}
