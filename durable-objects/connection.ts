import type { Framing } from "../src/protocol/frames";
import type { Role } from "../src/protocol/scopes";
import type { CallerInfo, PresenceEntry } from "../src/methods/context";

/**
 * Everything the gateway knows about one socket, stored as its hibernation attachment so a
 * connection keeps its identity when the Durable Object is evicted (max 2 KB serialized:
 * every client-supplied string is length-limited by the connect schema).
 */
export type Attachment = PendingConnection | ReadyConnection;

export interface PendingConnection {
  state: "pending";
  connId: string;
  nonce: string;
  openedAtMs: number;
}

export interface ReadyConnection {
  state: "ready";
  connId: string;
  openedAtMs: number;
  connectedAtMs: number;
  framing: Framing;
  protocol: number;
  role: Role;
  scopes: string[];
  client: { id: string; displayName?: string; version?: string; platform?: string; mode: string; instanceId?: string };
  /** Verified Ed25519 device identity, when the client proved one. */
  deviceId?: string;
  /** Fingerprint of the token hash used to authenticate; rotation closes stale sockets. */
  authFp: string;
}

/** In-memory cache of attachments: deserializing on every frame would be wasted work. */
export class ConnectionTable {
  private readonly cache = new WeakMap<WebSocket, Attachment>();

  get(ws: WebSocket): Attachment | undefined {
    let att = this.cache.get(ws);
    if (!att) {
      att = ws.deserializeAttachment() as Attachment | undefined;
      if (att) this.cache.set(ws, att);
    }
    return att;
  }

  set(ws: WebSocket, att: Attachment): void {
    ws.serializeAttachment(att);
    this.cache.set(ws, att);
  }
}

export function callerOf(att: ReadyConnection): CallerInfo {
  return {
    connId: att.connId,
    role: att.role,
    scopes: att.scopes,
    framing: att.framing,
    clientId: att.client.id,
    clientMode: att.client.mode,
  };
}

export function presenceOf(att: ReadyConnection, reason?: string): PresenceEntry {
  return {
    key: att.client.instanceId ?? att.connId,
    ...(att.client.displayName ? { host: att.client.displayName } : {}),
    mode: att.client.mode,
    ...(att.client.platform ? { platform: att.client.platform } : {}),
    ...(att.client.version ? { version: att.client.version } : {}),
    ...(att.deviceId ? { deviceId: att.deviceId } : {}),
    roles: [att.role],
    scopes: att.scopes,
    ...(reason ? { reason } : {}),
    ts: att.connectedAtMs,
  };
}
