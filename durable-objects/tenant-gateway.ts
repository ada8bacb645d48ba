import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";
import { tokenFingerprint, tokenMatches } from "../src/auth/tokens";
import type { ConfigSnapshot } from "../src/config/store";
import { openDatabase, type Database } from "../src/db/client";
import { tenantsRepo } from "../src/db/tenants-repo";
import type { ConnectionCounts, GatewayFacade, MethodContext, PresenceEntry } from "../src/methods/context";
import { registry } from "../src/methods";
import { healthSnapshot } from "../src/methods/system";
import { ErrorKind, GatewayError, asGatewayError, authFailed, invalidRequest } from "../src/protocol/errors";
import { GATEWAY_EVENTS } from "../src/protocol/events";
import { FrameError, decodeRequest, encodeError, encodeEvent, encodeResult, type DecodedRequest } from "../src/protocol/frames";
import { HANDSHAKE_TIMEOUT_MS, ProtocolMismatch, grantedScopes, notConnectFirst, parseConnect, signedFieldsOf } from "../src/protocol/handshake";
import { verifyDeviceProof } from "../src/auth/device-proof";
import { authorize } from "../src/protocol/scopes";
import { GATEWAY_VERSION } from "../src/version";
import { ConnectionTable, callerOf, presenceOf, type ReadyConnection } from "./connection";
import { EventSeq } from "./event-seq";
import { TenantServices } from "./tenant-services";
import { tenantClock, type Clock } from "../src/scheduler/clock";

/** Header by which the Worker tells the Durable Object which tenant it serves. */
export const TENANT_HEADER = "x-argent-tenant";

const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const DEFAULT_POLICY = { maxPayload: 8 * 1024 * 1024, tickIntervalMs: 30_000 };
type Policy = typeof DEFAULT_POLICY;

/** Close codes of wire-protocol.md §2. */
const CLOSE = { normal: 1000, protocol: 1002, policy: 1008, tooBig: 1009, restart: 1012 } as const;

/**
 * One per tenant: holds the tenant's sockets (Hibernation API only), runs the handshake and
 * RPC dispatch, and broadcasts events. Timers are alarms, armed only while a socket needs
 * one (a handshake deadline or ticks), so an idle tenant costs nothing.
 */
export class TenantGateway extends DurableObject<Env> implements GatewayFacade {
  private readonly db: Database;
  private readonly conns = new ConnectionTable();
  private readonly startedAtMs = Date.now();
  /** Per-connection tail of the frame queue (see webSocketMessage). */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly services: TenantServices;
  private readonly clock: Clock;
  private readonly seq: EventSeq;
  private policy: Policy;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = openDatabase(env.DB);
    this.policy = ctx.storage.kv.get<Policy>("policy") ?? DEFAULT_POLICY;
    this.seq = new EventSeq(ctx.storage.kv);
    this.clock = tenantClock(env, ctx.storage.kv);
    this.services = new TenantServices({
      kv: ctx.storage.kv,
      env,
      db: this.db,
      clock: this.clock,
      tenantId: () => this.tenantId,
      broadcast: (event, payload) => this.broadcast(event, payload),
      onConfigChange: (next) => this.onConfigChange(next),
      armAt: (tenantMs) => this.armAlarm(this.realTime(tenantMs)),
    });
    // Runs and job runs the previous instance did not finish (eviction, deploy) are closed
    // before anything else.
    void ctx.blockConcurrencyWhile(async () => {
      await this.services.runs.recoverInterrupted();
      await this.services.scheduler.recoverInterrupted();
    });
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const tenantId = request.headers.get(TENANT_HEADER);
    if (tenantId && this.ctx.storage.kv.get("tenantId") !== tenantId) this.ctx.storage.kv.put("tenantId", tenantId);

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const now = Date.now();
    const nonce = crypto.randomUUID();
    this.conns.set(server, { state: "pending", connId: crypto.randomUUID(), nonce, openedAtMs: now });
    server.send(encodeEvent("connect.challenge", { nonce, ts: now }));
    await this.armAlarm(now + HANDSHAKE_TIMEOUT_MS);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const att = this.conns.get(ws);
    if (!att) return;
    if (frameTooLarge(message, this.policy.maxPayload)) {
      ws.close(CLOSE.tooBig, "frame too large");
      return;
    }
    // Frames of one socket are handled in order, so a pipelined `connect` + request, or a
    // write followed by a read, behaves as sent. Different sockets still run concurrently.
    return this.inOrder(att.connId, () => this.handleFrame(ws, message));
  }

  private async handleFrame(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const att = this.conns.get(ws);
    if (!att) return;
    const pending = att.state === "pending";
    let req: DecodedRequest;
    try {
      if (typeof message !== "string") throw new FrameError(invalidRequest("binary frames are not supported"), undefined, null);
      req = decodeRequest(message);
    } catch (err) {
      const e = err as FrameError;
      safeSend(ws, encodeError({ framing: e.framing ?? (pending ? "jsonrpc" : att.framing), id: e.id, jsonrpc: e.jsonrpc }, e.error));
      if (pending) ws.close(CLOSE.policy, "invalid handshake");
      return;
    }
    if (att.state === "pending") return this.handshake(ws, att.connId, att.nonce, att.openedAtMs, req);
    if (req.method === "connect") {
      safeSend(ws, encodeError(req, invalidRequest("connect already completed")));
      return;
    }
    // A waiting method (agent.wait) must not hold up the frames sent after it.
    if (registry.find(req.method)?.detached) void this.dispatch(ws, att, req);
    else await this.dispatch(ws, att, req);
  }

  private inOrder(connId: string, task: () => Promise<void>): Promise<void> {
    const run = (this.queues.get(connId) ?? Promise.resolve()).then(task);
    const tail = run.catch(() => undefined);
    this.queues.set(connId, tail);
    void tail.then(() => {
      if (this.queues.get(connId) === tail) this.queues.delete(connId);
    });
    return run;
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      // Complete the closing handshake; 1005/1006 are reserved and cannot be sent back.
      ws.close(code === 1005 || code === 1006 ? CLOSE.normal : code, "closed");
    } catch {
      /* already closed */
    }
    this.onDisconnect(ws, "disconnect");
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.onDisconnect(ws, "error");
  }

  /**
   * The one alarm, multiplexed: handshake deadlines, ticks while clients are connected, and the
   * scheduler's due work. Re-planned on every wake; armed only while something needs it.
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    let anyReady = false;
    for (const ws of this.ctx.getWebSockets()) {
      const att = this.conns.get(ws);
      if (!att) continue;
      if (att.state === "ready") anyReady = true;
      else if (att.openedAtMs + HANDSHAKE_TIMEOUT_MS <= now) ws.close(CLOSE.normal, "handshake timeout");
    }
    if (anyReady) {
      const nextTick = this.ctx.storage.kv.get<number>("nextTickAt") ?? now;
      if (nextTick <= now + 50) {
        this.broadcast("tick", { ts: now });
        this.ctx.storage.kv.put("nextTickAt", now + this.policy.tickIntervalMs);
      }
    } else {
      this.ctx.storage.kv.delete("nextTickAt");
    }
    const due = this.services.scheduler.nextDue();
    if (due !== undefined && due <= this.clock.now()) await this.services.scheduler.runDue();
    await this.planAlarm();
  }

  /** Sets the alarm to the earliest thing that needs it, or clears it. */
  private async planAlarm(): Promise<void> {
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const ws of this.ctx.getWebSockets()) {
      const att = this.conns.get(ws);
      if (att?.state === "pending") next = Math.min(next, att.openedAtMs + HANDSHAKE_TIMEOUT_MS);
    }
    const nextTick = this.ctx.storage.kv.get<number>("nextTickAt");
    if (nextTick !== undefined) next = Math.min(next, nextTick);
    const due = this.services.scheduler.nextDue();
    if (due !== undefined) next = Math.min(next, this.realTime(due));
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(Math.max(next, now));
    else await this.ctx.storage.deleteAlarm();
  }

  /** A tenant-clock time as wall-clock time (they differ only under a test clock). */
  private realTime(tenantMs: number): number {
    return Date.now() + Math.max(0, tenantMs - this.clock.now());
  }

  // ── RPC from the Worker (native Durable Object RPC, typed stubs) ──────────────────────

  /** The tenant was disabled: tell every client, then close with 1012. Returns sockets closed. */
  async shutdown(reason: string): Promise<number> {
    return this.closeWhere(() => true, reason);
  }

  /**
   * The minute sweep found this tenant due: replan (which arms the alarm for what is due, now
   * or within the minute). The work itself always runs from the alarm, so a sweep and an alarm
   * firing together still run each job once.
   */
  async schedulerWake(): Promise<number | null> {
    return (await this.services.scheduler.reschedule()) ?? null;
  }

  /** The gateway token changed: sockets authenticated with the old one are closed. */
  async tokenRotated(newTokenHash: string): Promise<number> {
    const fp = tokenFingerprint(newTokenHash);
    return this.closeWhere((att) => att.authFp !== fp, "gateway token rotated");
  }

  // ── GatewayFacade (what method handlers see) ──────────────────────────────────────────

  presence(): PresenceEntry[] {
    return this.readyConnections().map(({ att }) => presenceOf(att));
  }

  connections(): ConnectionCounts {
    const counts = { operators: 0, nodes: 0, pending: 0 };
    for (const ws of this.ctx.getWebSockets()) {
      const att = this.conns.get(ws);
      if (!att) continue;
      if (att.state === "pending") counts.pending++;
      else if (att.role === "node") counts.nodes++;
      else counts.operators++;
    }
    return counts;
  }

  uptimeMs(): number {
    return Date.now() - this.startedAtMs;
  }

  stateVersion() {
    return {
      presence: this.ctx.storage.kv.get<number>("presenceVersion") ?? 0,
      health: this.ctx.storage.kv.get<number>("healthVersion") ?? 0,
    };
  }

  /** Sends an event to every authenticated operator, numbered by the tenant's `seq`. */
  broadcast(event: string, payload: unknown, extra?: Record<string, unknown>): void {
    const frame = encodeEvent(event, payload, this.seq.next(), extra);
    for (const { ws, att } of this.readyConnections()) {
      if (att.role === "node") continue; // nodes never receive operator events
      safeSend(ws, frame);
    }
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────

  private get tenantId(): string {
    return this.ctx.storage.kv.get<string>("tenantId") ?? this.ctx.id.name ?? "unknown";
  }

  private onConfigChange(next: ConfigSnapshot) {
    const { maxPayload, tickIntervalMs } = next.resolved.gateway;
    this.policy = { maxPayload, tickIntervalMs };
    this.ctx.storage.kv.put("policy", this.policy);
  }

  private context(att: ReadyConnection, hooks: RequestHooks = noHooks()): MethodContext {
    return {
      tenantId: this.tenantId,
      caller: callerOf(att),
      db: this.db,
      config: this.services.config,
      gateway: this,
      env: this.env,
      files: this.services.files,
      sessions: this.services.sessions,
      runs: this.services.runs,
      cron: this.services.cron,
      tasks: this.services.tasks,
      scheduler: this.services.scheduler,
      clock: this.clock,
      afterResponse: (task) => hooks.after.push(task),
      followUp: (result) => hooks.followUps.push(result),
    };
  }

  /** Answers one request on `ws`: authorize, validate, run the handler, send the response. */
  private async dispatch(ws: WebSocket, att: ReadyConnection, req: DecodedRequest): Promise<void> {
    const hooks = noHooks();
    let response: string;
    try {
      const def = registry.lookup(req.method);
      authorize(def.access, att.role, att.scopes);
      const params = registry.parseParams(def, req.params);
      response = encodeResult(req, await def.handler(this.context(att, hooks), params));
    } catch (err) {
      if (!(err instanceof GatewayError)) logFailure(req.method, err);
      response = encodeError(req, asGatewayError(err));
    }
    safeSend(ws, response);
    for (const task of hooks.after) task();
    for (const result of hooks.followUps) {
      if (req.framing !== "v3") continue;
      result.then(
        (payload) => safeSend(ws, encodeResult(req, payload)),
        (err) => safeSend(ws, encodeError(req, asGatewayError(err))),
      );
    }
  }

  private async handshake(ws: WebSocket, connId: string, nonce: string, openedAtMs: number, req: DecodedRequest) {
    try {
      if (req.method !== "connect") throw notConnectFirst();
      const connect = parseConnect(req.params);
      const tenant = await tenantsRepo(this.db).get(this.tenantId);
      if (!tenant || tenant.status !== "active") throw authFailed("unauthorized: tenant unavailable");
      if (!connect.token) throw authFailed("unauthorized: gateway token missing");
      if (!(await tokenMatches(connect.token, tenant.tokenHash))) throw authFailed("unauthorized: gateway token mismatch");
      // A device proof, when sent, must hold even alongside a valid token.
      const deviceId = connect.device ? await verifyDeviceProof(connect.device, signedFieldsOf(connect, nonce)) : undefined;
      if (connect.asDevice) {
        // Device pairing (wire-protocol.md §6) is not built yet: no device is paired.
        throw new GatewayError(ErrorKind.AuthFailed, "pairing required", undefined, "NOT_PAIRED");
      }

      const now = Date.now();
      const att: ReadyConnection = {
        state: "ready",
        connId,
        openedAtMs,
        connectedAtMs: now,
        framing: req.framing,
        protocol: connect.protocol,
        role: connect.role,
        scopes: grantedScopes(connect),
        client: connect.client,
        ...(deviceId ? { deviceId } : {}),
        authFp: tokenFingerprint(tenant.tokenHash),
      };
      this.conns.set(ws, att);
      const hello = await this.helloOk(att);
      safeSend(ws, encodeResult(req, hello));
      this.presenceChanged();
      await this.ensureTicking(now);
    } catch (err) {
      if (!(err instanceof GatewayError)) logFailure("connect", err);
      safeSend(ws, encodeError(req, asGatewayError(err)));
      ws.close(err instanceof ProtocolMismatch ? CLOSE.protocol : CLOSE.policy, "connect failed");
    }
  }

  private async helloOk(att: ReadyConnection) {
    const ctx = this.context(att);
    return {
      type: "hello-ok",
      protocol: att.protocol,
      server: { version: GATEWAY_VERSION, connId: att.connId },
      features: { methods: registry.names, events: [...GATEWAY_EVENTS] },
      snapshot: {
        presence: this.presence(),
        health: await healthSnapshot(ctx),
        stateVersion: this.stateVersion(),
        uptimeMs: this.uptimeMs(),
        sessionDefaults: { defaultAgentId: "main", mainKey: "main", mainSessionKey: "agent:main:main" },
      },
      auth: { role: att.role, scopes: att.scopes },
      policy: { maxPayload: this.policy.maxPayload, maxBufferedBytes: MAX_BUFFERED_BYTES, tickIntervalMs: this.policy.tickIntervalMs },
    };
  }

  private readyConnections(except?: WebSocket): { ws: WebSocket; att: ReadyConnection }[] {
    const out: { ws: WebSocket; att: ReadyConnection }[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      if (ws === except) continue;
      const att = this.conns.get(ws);
      if (att?.state === "ready") out.push({ ws, att });
    }
    return out;
  }

  private presenceChanged(left?: PresenceEntry, except?: WebSocket) {
    const version = (this.ctx.storage.kv.get<number>("presenceVersion") ?? 0) + 1;
    this.ctx.storage.kv.put("presenceVersion", version);
    const presence = this.readyConnections(except).map(({ att }) => presenceOf(att));
    if (left) presence.push(left);
    this.broadcast("presence", { presence }, { stateVersion: this.stateVersion() });
  }

  private onDisconnect(ws: WebSocket, reason: string) {
    const att = this.conns.get(ws);
    if (att?.state === "ready") this.presenceChanged(presenceOf(att, reason), ws);
    if (this.ctx.getWebSockets().every((other) => other === ws)) {
      // Last client gone: no more ticks; the alarm stays only for scheduled work.
      this.ctx.storage.kv.delete("nextTickAt");
      void this.planAlarm();
    }
  }

  private async ensureTicking(now: number) {
    if (this.ctx.storage.kv.get<number>("nextTickAt") !== undefined) return;
    const nextTick = now + this.policy.tickIntervalMs;
    this.ctx.storage.kv.put("nextTickAt", nextTick);
    await this.armAlarm(nextTick);
  }

  /** Moves the alarm earlier if `at` is sooner than what is scheduled. */
  private async armAlarm(at: number) {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  private closeWhere(match: (att: ReadyConnection) => boolean, reason: string): number {
    let closed = 0;
    const frame = encodeEvent("shutdown", { reason });
    for (const ws of this.ctx.getWebSockets()) {
      const att = this.conns.get(ws);
      if (att?.state === "ready" && !match(att)) continue;
      if (att?.state === "ready") safeSend(ws, frame);
      try {
        ws.close(CLOSE.restart, reason);
        closed++;
      } catch {
        /* already closing */
      }
    }
    return closed;
  }
}

/** What a handler asked to happen after its response went out. */
interface RequestHooks {
  after: (() => void)[];
  followUps: Promise<unknown>[];
}
const noHooks = (): RequestHooks => ({ after: [], followUps: [] });

function safeSend(ws: WebSocket, frame: string) {
  try {
    ws.send(frame);
  } catch {
    /* the socket closed while we worked; its close handler cleans up */
  }
}

/** Whether a frame's UTF-8 size exceeds `limit`, encoding only when the length cannot tell. */
function frameTooLarge(message: string | ArrayBuffer, limit: number): boolean {
  if (typeof message !== "string") return message.byteLength > limit;
  if (message.length * 3 <= limit) return false; // at most 3 bytes per UTF-16 unit
  if (message.length > limit) return true; // at least 1 byte per unit
  return new TextEncoder().encode(message).byteLength > limit;
}

/** Unexpected failures are logged by name only: messages may carry user data or secrets. */
function logFailure(method: string, err: unknown) {
  console.error(`method ${method} failed: ${err instanceof Error ? err.name : typeof err}`);
}
