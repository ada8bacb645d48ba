// End to end: the real `npm run dev` (migrations + wrangler dev) on a free port with a scratch
// state dir, driven with the `ws` package the way the reference and real clients do.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevServer, makeStateDir, randomSecrets, removeStateDir, REPO_ROOT, type DevSecrets } from "./helpers/dev-server";
import { GatewayClient, GatewayError, tryUpgrade } from "./helpers/gateway-client";

const secrets: DevSecrets = randomSecrets();
let stateDir: string;
let server: DevServer | undefined;
const clients: GatewayClient[] = [];
// The developer's own .dev.vars must be left exactly as it was.
const devVarsPath = join(REPO_ROOT, ".dev.vars");
const readDevVars = () => (existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8") : null);
const devVarsBefore = readDevVars();

function track(c: GatewayClient): GatewayClient {
  clients.push(c);
  return c;
}

function liveServer(): DevServer {
  if (!server) throw new Error("dev server is not running");
  return server;
}

async function connect(opts: Parameters<typeof GatewayClient.connect>[1], path = ""): Promise<GatewayClient> {
  return track(await GatewayClient.connect(liveServer().url + path, opts));
}

/** Connects with a wrong token and returns what the gateway answered and how it closed the socket. */
async function refusedConnect(url: string, opts: Parameters<typeof GatewayClient.connect>[1]) {
  const c = track(new GatewayClient(url, { framing: opts.framing }));
  const error = await c.handshake(opts).then(
    (hello) => {
      throw new Error(`expected the connect to be refused, got ${JSON.stringify(hello?.type)}`);
    },
    (err: unknown) => err,
  );
  const close = await c.waitClosed(10_000);
  return { error, close };
}

function expectHelloOk(hello: any) {
  expect(hello).toMatchObject({
    type: "hello-ok",
    server: { version: expect.any(String), connId: expect.any(String) },
    features: { methods: expect.arrayContaining(["health", "status", "config.get", "config.set"]), events: expect.arrayContaining(["tick"]) },
    snapshot: {
      presence: expect.any(Array),
      health: expect.any(Object),
      sessionDefaults: { defaultAgentId: "main", mainKey: "main", mainSessionKey: "agent:main:main" },
    },
    auth: { role: "operator", scopes: expect.arrayContaining(["operator.admin"]) },
    policy: { maxPayload: expect.any(Number), maxBufferedBytes: expect.any(Number), tickIntervalMs: expect.any(Number) },
  });
  expect(hello.auth.deviceToken).toBeUndefined();
}

beforeAll(async () => {
  stateDir = makeStateDir();
  server = await DevServer.start({ stateDir, secrets });
});

afterAll(async () => {
  for (const c of clients) c.close();
  try {
    await server?.stop();
  } finally {
    server = undefined;
    removeStateDir(stateDir);
  }
});

describe("npm run dev", () => {
  it("serves GET /health", async () => {
    const res = await fetch(`${liveServer().httpUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it("prints the URL and takes the gateway token from the environment", () => {
    const out = liveServer().output();
    expect(out).toContain(`ws://127.0.0.1:${liveServer().port}`);
    expect(out).toContain("<ARGENT_GATEWAY_TOKEN>");
    expect(out).toMatch(/from the environment/);
  });

  it("leaves the developer's .dev.vars alone when the secrets come from the environment", () => {
    expect(readDevVars() === devVarsBefore).toBe(true);
  });

  it("npm run status prints the URL and token and sees the server running", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(REPO_ROOT, "scripts/status.mjs")], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...secrets, PORT: String(liveServer().port) },
    });
    expect(stdout).toContain(`ws://127.0.0.1:${liveServer().port}`);
    expect(stdout.includes(secrets.ARGENT_GATEWAY_TOKEN)).toBe(true);
    expect(stdout).toMatch(/running/);
    expect(stdout).not.toMatch(/not running/);
  });
});

describe("reference (JSON-RPC style) framing", () => {
  it("challenge → connect → hello-ok in result → requests", async () => {
    const c = track(new GatewayClient(liveServer().url, { framing: "jsonrpc" }));
    const challenge = await c.nextEvent("connect.challenge");
    expect(challenge).toMatchObject({ type: "event", event: "connect.challenge", payload: { nonce: expect.any(String), ts: expect.any(Number) } });
    expect(challenge.seq).toBeUndefined();

    const connectRes = await c.sendAndWait({
      id: "req-1",
      method: "connect",
      params: { clientName: "dashboard", clientDisplayName: "ArgentOS Dashboard", mode: "operator", token: secrets.ARGENT_GATEWAY_TOKEN },
    });
    expect(connectRes.id).toBe("req-1");
    expect(connectRes.error).toBeUndefined();
    expectHelloOk(connectRes.result);

    const health = await c.request("health", {}, "req-2");
    expect(health).toMatchObject({ id: "req-2", result: expect.any(Object) });
    expect(health.type).toBeUndefined();

    // ids echo with their JSON type; `jsonrpc` echoes when sent; params may be omitted
    const numeric = await c.sendAndWait({ jsonrpc: "2.0", id: 7, method: "status" });
    expect(numeric).toMatchObject({ jsonrpc: "2.0", id: 7, result: expect.any(Object) });

    const agents = await c.call("agents.list", {});
    expect(agents).toEqual(expect.any(Object));

    const unknown = await c.request("no.such.method", {});
    expect(unknown.error).toMatchObject({ code: -32601, message: expect.any(String) });

    // unparseable JSON: -32600, socket stays open
    const bad = await c.sendRawAndWait("{not json", (f) => f?.error !== undefined);
    expect(bad.error).toMatchObject({ code: -32600 });
    await expect(c.call("health")).resolves.toEqual(expect.any(Object));
  });

  it("refuses a wrong token: error, then close 1008", async () => {
    const wrong = `wrong-${secrets.ARGENT_GATEWAY_TOKEN.slice(0, 4)}`;
    const { error, close } = await refusedConnect(liveServer().url, { framing: "jsonrpc", token: wrong });
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(-32002);
    expect((error as GatewayError).message).not.toContain(wrong);
    expect(close.code).toBe(1008);
  });

  it("requires connect first: error, then close 1008", async () => {
    const c = track(new GatewayClient(liveServer().url, { framing: "jsonrpc" }));
    await c.nextEvent("connect.challenge");
    const res = await c.request("health", {});
    expect(res.error).toMatchObject({ code: -32600 });
    expect((await c.waitClosed(10_000)).code).toBe(1008);
  });
});

describe("v3 typed frames", () => {
  it("protocol 3 (ArgentOS clients): payload.protocol 3, requests as res frames", async () => {
    const c = track(new GatewayClient(liveServer().url, { framing: "v3" }));
    await c.nextEvent("connect.challenge");
    const res = await c.sendAndWait({
      type: "req",
      id: "c1",
      method: "connect",
      params: {
        minProtocol: 3,
        maxProtocol: 3,
        client: { id: "cli", displayName: "argent-edge e2e", version: "0.0.0-e2e", platform: "linux", mode: "cli" },
        role: "operator",
        scopes: ["operator.admin"],
        auth: { token: secrets.ARGENT_GATEWAY_TOKEN },
      },
    });
    expect(res).toMatchObject({ type: "res", id: "c1", ok: true });
    expectHelloOk(res.payload);
    expect(res.payload.protocol).toBe(3);

    const health = await c.request("health");
    expect(health).toMatchObject({ type: "res", ok: true, payload: expect.any(Object) });
    expect(health.result).toBeUndefined();

    const unknown = await c.request("no.such.method", {});
    expect(unknown).toMatchObject({ type: "res", ok: false, error: { code: "INVALID_REQUEST", message: expect.stringContaining("unknown method") } });

    const cfg = await c.call("config.get", {});
    expect(cfg).toMatchObject({ config: expect.any(Object), hash: expect.any(String) });
  });

  it("protocol 3..4 (current OpenClaw clients): payload.protocol 4", async () => {
    const c = await connect({ framing: "v3", minProtocol: 3, maxProtocol: 4, token: secrets.ARGENT_GATEWAY_TOKEN });
    expectHelloOk(c.hello);
    expect(c.hello.protocol).toBe(4);
    await expect(c.call("system-presence", {})).resolves.toBeDefined();
  });

  it("refuses a protocol range it does not speak: INVALID_REQUEST, close 1002", async () => {
    const { error, close } = await refusedConnect(liveServer().url, {
      framing: "v3",
      minProtocol: 5,
      maxProtocol: 6,
      token: secrets.ARGENT_GATEWAY_TOKEN,
    });
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("INVALID_REQUEST");
    expect((error as GatewayError).details).toMatchObject({ expectedProtocol: expect.anything() });
    expect(close.code).toBe(1002);
  });

  it("refuses a wrong token: ok:false, then close 1008", async () => {
    const { error, close } = await refusedConnect(liveServer().url, { framing: "v3", token: "not-the-token" });
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toMatch(/^(INVALID_REQUEST|NOT_PAIRED)$/);
    expect(close.code).toBe(1008);
  });

  it("sends tick events to a connected client", async () => {
    const c = await connect({ framing: "v3", token: secrets.ARGENT_GATEWAY_TOKEN });
    const interval: number = c.hello.policy.tickIntervalMs;
    const tick = await c.nextEvent("tick", interval * 2 + 10_000);
    expect(tick).toMatchObject({ type: "event", event: "tick", payload: { ts: expect.any(Number) }, seq: expect.any(Number) });
  }, 150_000);
});

describe("admin API", () => {
  // token null: no Authorization header
  const admin = (path: string, init: RequestInit = {}, token: string | null = secrets.ADMIN_TOKEN) =>
    fetch(`${liveServer().httpUrl}/admin${path}`, {
      ...init,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  let acmeToken = "";

  it("refuses requests without the admin token", async () => {
    expect((await admin("/tenants", { method: "POST", body: JSON.stringify({ id: "e2e-nope" }) }, null)).status).toBe(401);
    expect((await admin("/tenants", { method: "POST", body: JSON.stringify({ id: "e2e-nope" }) }, secrets.ARGENT_GATEWAY_TOKEN)).status).toBe(401);
    expect((await admin("/tenants/e2e-nope", {}, secrets.ADMIN_TOKEN)).status).toBe(404);
  });

  it("creates tenant e2e-acme, reachable at /t/e2e-acme/ws with its own token only", async () => {
    const res = await admin("/tenants", { method: "POST", body: JSON.stringify({ id: "e2e-acme" }) });
    expect(res.status).toBeLessThan(300);
    const body: any = await res.json();
    expect(body.id).toBe("e2e-acme");
    expect(typeof body.token).toBe("string");
    expect(body.token.length).toBeGreaterThanOrEqual(16);
    acmeToken = body.token;

    const acme = await connect({ framing: "jsonrpc", token: acmeToken }, "/t/e2e-acme/ws");
    expectHelloOk(acme.hello);
    await expect(acme.call("health", {})).resolves.toEqual(expect.any(Object));

    const { error, close } = await refusedConnect(`${liveServer().url}/t/e2e-acme/ws`, {
      framing: "jsonrpc",
      token: secrets.ARGENT_GATEWAY_TOKEN,
    });
    expect((error as GatewayError).code).toBe(-32002);
    expect(close.code).toBe(1008);

    // and the other way round: e2e-acme's token does not open the default tenant
    const back = await refusedConnect(`${liveServer().url}/ws`, { framing: "jsonrpc", token: acmeToken });
    expect((back.error as GatewayError).code).toBe(-32002);
    expect(back.close.code).toBe(1008);
  });

  it("answers 404 to an upgrade for an unknown tenant", async () => {
    expect(await tryUpgrade(`${liveServer().url}/t/e2e-unknown/ws`)).toEqual({ ok: false, statusCode: 404 });
  });

  it("keeps tenants apart: config written on e2e-acme does not show on default", async () => {
    const acme = await connect({ framing: "v3", token: acmeToken }, "/t/e2e-acme/ws");
    await acme.call("config.set", { path: "agents.defaults.thinkingDefault", value: "minimal" });
    const acmeCfg = await acme.call("config.get", {});
    expect(acmeCfg.config.agents.defaults.thinkingDefault).toBe("minimal");

    const def = await connect({ framing: "v3", token: secrets.ARGENT_GATEWAY_TOKEN });
    const defCfg = await def.call("config.get", {});
    expect(defCfg.config?.agents?.defaults?.thinkingDefault).not.toBe("minimal");
  });
});

describe("restart", () => {
  it("keeps a config value written before the server was restarted", async () => {
    const before = await connect({ framing: "jsonrpc", token: secrets.ARGENT_GATEWAY_TOKEN });
    const initial = await before.call("config.get", {});
    // a fresh state dir: the value is not already there
    expect(initial.config?.agents?.defaults?.thinkingDefault).not.toBe("high");

    await before.call("config.set", { path: "agents.defaults.thinkingDefault", value: "high" });
    const written = await before.call("config.get", {});
    expect(written.config.agents.defaults.thinkingDefault).toBe("high");
    before.close();

    const old = liveServer();
    await old.stop();
    server = undefined;
    expect(old.running).toBe(false);
    await expect(fetch(`${old.httpUrl}/health`)).rejects.toThrow();

    server = await DevServer.start({ stateDir, secrets });
    const after = await connect({ framing: "jsonrpc", token: secrets.ARGENT_GATEWAY_TOKEN });
    const read = await after.call("config.get", {});
    expect(read.config.agents.defaults.thinkingDefault).toBe("high");

    // the tenant created through the admin API is still there too
    const tenants = await fetch(`${liveServer().httpUrl}/admin/tenants/e2e-acme`, {
      headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
    });
    expect(tenants.status).toBe(200);
  }, 300_000);
});
