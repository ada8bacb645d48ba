import { SELF } from "cloudflare:test";
import { TEST_SECRETS } from "./secrets";

export type Frame = Record<string, any>;
export type Framing = "jsonrpc" | "v3";

/**
 * A real WebSocket client inside the Workers test runtime: it upgrades through the
 * Worker's fetch handler (exactly as a browser would reach it) and speaks raw frames.
 */
export class TestClient {
  private readonly inbox: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private nextId = 1;
  readonly closed: Promise<{ code: number; reason: string }>;
  challenge?: Frame;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })),
    );
    ws.addEventListener("message", (e) => {
      const frame = JSON.parse(e.data as string) as Frame;
      const i = this.waiters.findIndex((w) => w.match(frame));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(frame);
      else this.inbox.push(frame);
    });
  }

  /** Opens a socket; `path` like `/ws` or `/t/acme/ws`. Resolves once the challenge arrived. */
  static async open(path = "/ws", headers: Record<string, string> = {}): Promise<TestClient> {
    const res = await SELF.fetch(`http://gateway.test${path}`, { headers: { Upgrade: "websocket", ...headers } });
    if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
    res.webSocket.accept();
    const client = new TestClient(res.webSocket);
    client.challenge = await client.next((f) => f.event === "connect.challenge");
    return client;
  }

  /** The next frame matching `match` (already received or still to come). */
  next(match: (f: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (f: Frame) => (clearTimeout(timer), resolve(f)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  nextEvent(event: string, timeoutMs?: number) {
    return this.next((f) => f.type === "event" && f.event === event, timeoutMs);
  }

  /** Frames received and not yet consumed (for "nothing else arrived" checks). */
  pending(): Frame[] {
    return [...this.inbox];
  }

  sendRaw(data: string | ArrayBuffer) {
    this.ws.send(data);
  }

  /** Sends a request in the given framing and returns the response frame (result or error). */
  async request(method: string, params?: unknown, framing: Framing = "jsonrpc"): Promise<Frame> {
    const id = framing === "v3" ? `r${this.nextId++}` : this.nextId++;
    const frame =
      framing === "v3"
        ? { type: "req", id, method, ...(params === undefined ? {} : { params }) }
        : { id, method, ...(params === undefined ? {} : { params }) };
    this.ws.send(JSON.stringify(frame));
    return this.next((f) => f.id === id && f.type !== "event");
  }

  /** Like request, but returns the result / payload and throws on an error response. */
  async call(method: string, params?: unknown, framing: Framing = "jsonrpc"): Promise<any> {
    const res = await this.request(method, params, framing);
    if (framing === "v3" ? !res.ok : "error" in res) {
      throw new Error(`${method} failed: ${JSON.stringify(res.error)}`);
    }
    return framing === "v3" ? res.payload : res.result;
  }

  close() {
    try {
      this.ws.close(1000, "bye");
    } catch {
      /* already closed */
    }
  }
}

export interface ConnectOptions {
  framing?: Framing;
  token?: string;
  scopes?: string[];
  role?: "operator" | "node";
  minProtocol?: number;
  maxProtocol?: number;
  clientId?: string;
}

/** The reference's connect params, or the v3 ones. */
export function connectParams(o: ConnectOptions = {}): Record<string, any> {
  const token = o.token ?? TEST_SECRETS.ARGENT_GATEWAY_TOKEN;
  if ((o.framing ?? "jsonrpc") === "jsonrpc" && o.minProtocol === undefined) {
    return {
      clientName: o.clientId ?? "dashboard",
      clientDisplayName: "ArgentOS Dashboard",
      mode: o.role ?? "operator",
      token,
      ...(o.scopes ? { scopes: o.scopes } : {}),
    };
  }
  return {
    minProtocol: o.minProtocol ?? 3,
    maxProtocol: o.maxProtocol ?? 3,
    client: { id: o.clientId ?? "cli", displayName: "Test CLI", version: "1.0.0", platform: "test", mode: "cli" },
    role: o.role ?? "operator",
    scopes: o.scopes ?? [],
    auth: { token },
  };
}

/** Opens a socket and completes the handshake; returns the client and hello-ok. */
export async function connected(path = "/ws", o: ConnectOptions = {}) {
  const client = await TestClient.open(path);
  const hello = await client.call("connect", connectParams(o), o.framing ?? "jsonrpc");
  return { client, hello };
}

/** Creates a tenant through the admin API; returns its gateway token. */
export async function createTenant(id: string): Promise<string> {
  const res = await SELF.fetch("http://gateway.test/admin/tenants", {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ id }),
  });
  if (res.status !== 201) throw new Error(`create tenant failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export function admin(path: string, init: RequestInit = {}) {
  return SELF.fetch(`http://gateway.test/admin${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}`, "content-type": "application/json", ...init.headers },
  });
}

/** The error of a response frame in either framing, normalised for assertions. */
export function errorOf(res: Frame): { code: number | string; message: string; details?: any } {
  if (res.type === "res") return { code: res.error?.code, message: res.error?.message, details: res.error?.details };
  return { code: res.error?.code, message: res.error?.message, details: res.error?.data };
}
