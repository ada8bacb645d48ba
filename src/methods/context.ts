import type { ConfigStore } from "../config/store";
import type { Database } from "../db/client";
import type { Role } from "../protocol/scopes";
import type { Framing } from "../protocol/frames";

/** Who is calling: the authenticated connection, as stored in its socket attachment. */
export interface CallerInfo {
  connId: string;
  role: Role;
  scopes: string[];
  framing: Framing;
  clientId: string;
  clientMode: string;
}

export interface PresenceEntry {
  key: string;
  host?: string;
  mode?: string;
  platform?: string;
  version?: string;
  deviceId?: string;
  roles?: string[];
  scopes?: string[];
  reason?: string;
  ts: number;
}

export interface ConnectionCounts {
  operators: number;
  nodes: number;
  pending: number;
}

/** What the tenant's gateway offers to method handlers (implemented by the Durable Object). */
export interface GatewayFacade {
  presence(): PresenceEntry[];
  connections(): ConnectionCounts;
  uptimeMs(): number;
  stateVersion(): { presence: number; health: number };
  broadcast(event: string, payload: unknown): void;
}

/** Handlers are plain async functions of (ctx, params) → result. */
export interface MethodContext {
  tenantId: string;
  caller: CallerInfo;
  db: Database;
  config: ConfigStore;
  gateway: GatewayFacade;
}
