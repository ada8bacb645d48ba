// A small gateway client over the `ws` package, as the reference and real clients use it:
// wait for `connect.challenge`, send `connect`, then `{id, method, params}` requests.
// Speaks either framing: "jsonrpc" (the reference: {id, method, params} → {id, result|error})
// or "v3" (typed frames: {type:"req", ...} → {type:"res", ok, payload|error}).
import WebSocket from "ws";

export type Framing = "jsonrpc" | "v3";

export interface EventFrame {
  type: "event";
  event: string;
  payload?: any;
  seq?: number;
  stateVersion?: unknown;
}

/** A request that the gateway answered with an error (either framing). */
export class GatewayError extends Error {
  constructor(
    readonly method: string,
    /** JSON-RPC: the numeric code; v3: the string code (e.g. "INVALID_REQUEST"). */
    readonly code: number | string,
    message: string,
    /** JSON-RPC `error.data` / v3 `error.details`. */
    readonly details: any,
    readonly frame: any,
  ) {
    super(`${method} failed: ${String(code)} ${message}`);
    this.name = "GatewayError";
  }
}

export interface ConnectOptions {
  token: string;
  framing?: Framing;
  /** v3 only. */
  minProtocol?: number;
  maxProtocol?: number;
  /** Reference form: clientName / clientDisplayName / mode. */
  clientName?: string;
  clientDisplayName?: string;
  mode?: "operator" | "node" | "device";
  /** v3 client block and role/scopes. */
  client?: { id: string; displayName?: string; version: string; platform: string; mode: string };
  role?: "operator" | "node";
  scopes?: string[];
  /** Milliseconds to wait for the challenge and for each answer. */
  timeoutMs?: number;
}

interface Pending {
  method: string;
  resolve: (frame: any) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class GatewayClient {
  readonly framing: Framing;
  readonly timeoutMs: number;
  /** The connect.challenge event (set by connect()). */
  challenge: EventFrame | undefined;
  /** The hello-ok (the connect result/payload), once connected. */
  hello: any;
  /** Resolves with the close code and reason when the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Every frame received, in order (for debugging and for tests that look at raw frames). */
  readonly frames: any[] = [];

  #ws: WebSocket;
  #nextId = 1;
  #pending = new Map<string, Pending>();
  #events: EventFrame[] = [];
  #eventWaiters: { name: string; resolve: (e: EventFrame) => void }[] = [];
  #open: Promise<void>;
  #closeInfo: { code: number; reason: string } | undefined;

  constructor(url: string, { framing = "jsonrpc", timeoutMs = 15_000 }: { framing?: Framing; timeoutMs?: number } = {}) {
    this.framing = framing;
    this.timeoutMs = timeoutMs;
    this.#ws = new WebSocket(url);
    this.#open = new Promise((resolve, reject) => {
      this.#ws.once("open", () => resolve());
      this.#ws.once("unexpected-response", (_req, res) => {
        reject(new UpgradeRefused(res.statusCode ?? 0));
        res.resume();
      });
      this.#ws.once("error", reject);
    });
    this.#open.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.#ws.on("close", (code, reason) => {
        this.#closeInfo = { code, reason: reason.toString("utf8") };
        for (const p of this.#pending.values()) {
          clearTimeout(p.timer);
          p.reject(new Error(`socket closed (${code}) before ${p.method} was answered`));
        }
        this.#pending.clear();
        resolve(this.#closeInfo);
      });
    });
    this.#ws.on("error", () => {}); // surfaced through #open / closed
    this.#ws.on("message", (data) => this.#onMessage(data.toString()));
  }

  /** Opens a socket, waits for connect.challenge, sends connect; resolves with the client once hello-ok came. */
  static async connect(url: string, opts: ConnectOptions): Promise<GatewayClient> {
    const client = new GatewayClient(url, { framing: opts.framing, timeoutMs: opts.timeoutMs });
    try {
      await client.handshake(opts);
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  /** Resolves once the socket is open; rejects with UpgradeRefused / the socket error otherwise. */
  opened(): Promise<void> {
    return this.#open;
  }

  /** Waits for the challenge and sends connect in this client's framing; returns hello-ok. */
  async handshake(opts: ConnectOptions): Promise<any> {
    await this.#open;
    this.challenge = await this.nextEvent("connect.challenge");
    const params =
      this.framing === "jsonrpc"
        ? {
            clientName: opts.clientName ?? "dashboard",
            clientDisplayName: opts.clientDisplayName ?? "ArgentOS Dashboard",
            mode: opts.mode ?? "operator",
            token: opts.token,
            ...(opts.scopes ? { scopes: opts.scopes } : {}),
          }
        : {
            minProtocol: opts.minProtocol ?? 3,
            maxProtocol: opts.maxProtocol ?? 3,
            client: opts.client ?? { id: "cli", displayName: "argent-edge e2e", version: "0.0.0-e2e", platform: process.platform, mode: "cli" },
            role: opts.role ?? "operator",
            scopes: opts.scopes ?? ["operator.admin"],
            auth: { token: opts.token },
          };
    this.hello = await this.call("connect", params, this.framing === "jsonrpc" ? "req-1" : undefined);
    return this.hello;
  }

  /**
   * Sends a request and resolves with its `result` (JSON-RPC) / `payload` (v3);
   * rejects with GatewayError when the gateway answered with an error.
   */
  async call(method: string, params?: unknown, id?: string | number): Promise<any> {
    const frame = await this.request(method, params, id);
    if (this.framing === "jsonrpc") {
      if (frame.error) throw new GatewayError(method, frame.error.code, frame.error.message, frame.error.data, frame);
      return frame.result;
    }
    if (frame.ok !== true) throw new GatewayError(method, frame.error?.code, frame.error?.message, frame.error?.details, frame);
    return frame.payload;
  }

  /** Sends a request and resolves with the raw response frame (success or error). */
  async request(method: string, params?: unknown, id?: string | number): Promise<any> {
    await this.#open;
    const reqId = id ?? `${this.framing === "v3" ? "r" : "req-"}${++this.#nextId}`;
    const frame: Record<string, unknown> =
      this.framing === "v3" ? { type: "req", id: reqId, method } : { id: reqId, method };
    if (params !== undefined) frame.params = params;
    return this.sendAndWait(frame, method);
  }

  /** Sends any frame with an `id` and resolves with the response carrying that id. */
  sendAndWait(frame: Record<string, unknown>, label = String(frame.method)): Promise<any> {
    const key = JSON.stringify(frame.id);
    return new Promise((resolve, reject) => {
      if (this.#closeInfo) {
        reject(new Error(`socket closed (${this.#closeInfo.code}); cannot send ${label}`));
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        reject(new Error(`no answer to ${label} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.#pending.set(key, { method: label, resolve, reject, timer });
      this.#ws.send(JSON.stringify(frame));
    });
  }

  /** Sends raw text (e.g. a malformed frame). */
  sendRaw(text: string): void {
    this.#ws.send(text);
  }

  /** Sends raw text and resolves with the first frame received after it that matches `match`. */
  async sendRawAndWait(text: string, match: (frame: any) => boolean, timeoutMs = this.timeoutMs): Promise<any> {
    await this.#open;
    const from = this.frames.length;
    this.#ws.send(text);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found !== undefined) return found;
      if (this.#closeInfo) throw new Error(`socket closed (${this.#closeInfo.code}) before an answer to a raw frame`);
      if (Date.now() > deadline) throw new Error(`no answer to a raw frame within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * The next not yet consumed event named `name` (already received ones first);
   * rejects after `timeoutMs`.
   */
  nextEvent(name: string, timeoutMs = this.timeoutMs): Promise<EventFrame> {
    const i = this.#events.findIndex((e) => e.event === name);
    if (i >= 0) return Promise.resolve(this.#events.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        name,
        resolve: (e: EventFrame) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.#eventWaiters.splice(this.#eventWaiters.indexOf(waiter), 1);
        reject(new Error(`no ${name} event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#eventWaiters.push(waiter);
    });
  }

  close(code = 1000): void {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) {
      try {
        this.#ws.close(code);
      } catch {
        this.#ws.terminate();
      }
    }
  }

  /** Resolves with the close info, or rejects if the socket stays open for `timeoutMs`. */
  async waitClosed(timeoutMs = this.timeoutMs): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #onMessage(text: string): void {
    let frame: any;
    try {
      frame = JSON.parse(text);
    } catch {
      this.frames.push(text);
      return;
    }
    this.frames.push(frame);
    if (frame && frame.type === "event" && typeof frame.event === "string") {
      const w = this.#eventWaiters.findIndex((x) => x.name === frame.event);
      if (w >= 0) this.#eventWaiters.splice(w, 1)[0]!.resolve(frame);
      else this.#events.push(frame);
      return;
    }
    if (frame && "id" in frame) {
      const key = JSON.stringify(frame.id);
      const p = this.#pending.get(key);
      if (p) {
        this.#pending.delete(key);
        clearTimeout(p.timer);
        p.resolve(frame);
      }
    }
  }
}

/** The HTTP upgrade was answered with a non-101 status (e.g. 404 for an unknown tenant). */
export class UpgradeRefused extends Error {
  constructor(readonly statusCode: number) {
    super(`websocket upgrade refused with HTTP ${statusCode}`);
    this.name = "UpgradeRefused";
  }
}

/** Opens a socket without a handshake: `{ok:true}` when upgraded, else the HTTP status it was refused with. */
export async function tryUpgrade(url: string): Promise<{ ok: true } | { ok: false; statusCode: number }> {
  const c = new GatewayClient(url);
  try {
    await c.opened();
    return { ok: true };
  } catch (err) {
    if (err instanceof UpgradeRefused) return { ok: false, statusCode: err.statusCode };
    throw err;
  } finally {
    c.close();
  }
}
