import type { AgentFiles } from "../agent/agent-files";
import type { RunManager } from "../agent/run-manager";
import type { SessionStore } from "../agent/session-store";
import type { ConfigStore } from "../config/store";
import type { Env } from "../env";
import type { Clock } from "../scheduler/clock";
import type { CronJobs } from "../scheduler/cron-jobs";
import type { Scheduler } from "../scheduler/scheduler";
import type { TaskService } from "../scheduler/tasks";
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
  env: Env;
  files: AgentFiles;
  sessions: SessionStore;
  runs: RunManager;
  cron: CronJobs;
  tasks: TaskService;
  scheduler: Scheduler;
  /** The tenant's clock (scheduling reads time here). */
  clock: Clock;
  /** Runs `task` right after this request's response frame was sent (e.g. start streaming). */
  afterResponse(task: () => void): void;
  /**
   * v3 clients get a second response with the same id once `result` resolves (wire-protocol.md
   * §5, `agent`); a JSON-RPC id is answered once, so there it is dropped.
   */
  followUp(result: Promise<unknown>): void;
}
