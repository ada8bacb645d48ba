// Starts and stops the real `npm run dev` (scripts/dev.mjs → wrangler dev) for end-to-end tests:
// its own process group, a given port and state directory, secrets from the environment (so the
// developer's .dev.vars and .wrangler/state are never read or written).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

export interface DevSecrets {
  ARGENT_GATEWAY_TOKEN: string;
  ADMIN_TOKEN: string;
  CONFIG_ENCRYPTION_KEY: string;
}

export function randomSecrets(): DevSecrets {
  return {
    ARGENT_GATEWAY_TOKEN: `e2e-${randomBytes(24).toString("base64url")}`,
    ADMIN_TOKEN: `e2e-admin-${randomBytes(24).toString("base64url")}`,
    CONFIG_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
}

/** A fresh scratch state directory (remove it with removeStateDir). */
export function makeStateDir(): string {
  return mkdtempSync(join(tmpdir(), "argent-e2e-state-"));
}

export function removeStateDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface DevServerOptions {
  port?: number;
  stateDir: string;
  secrets: DevSecrets;
  /** How long to wait for GET /health (ms). */
  startTimeoutMs?: number;
}

export class DevServer {
  readonly url: string;
  readonly httpUrl: string;
  #output = "";
  #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private constructor(
    readonly port: number,
    readonly stateDir: string,
    private readonly secrets: DevSecrets,
    private readonly child: ChildProcess,
  ) {
    this.url = `ws://127.0.0.1:${port}`;
    this.httpUrl = `http://127.0.0.1:${port}`;
    const collect = (chunk: Buffer) => {
      this.#output += chunk.toString("utf8");
      if (this.#output.length > 200_000) this.#output = this.#output.slice(-100_000);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    this.#exited = new Promise((res) => {
      child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        res(this.#exit);
      });
    });
  }

  /** Spawns `npm run dev` detached (own process group) and waits until /health answers. */
  static async start(opts: DevServerOptions): Promise<DevServer> {
    const port = opts.port ?? (await freePort());
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...opts.secrets,
      PORT: String(port),
      ARGENT_STATE_DIR: opts.stateDir,
      WRANGLER_SEND_METRICS: "false",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    };
    // npm_execpath is set when the tests run under `npm test`; otherwise use npm from PATH.
    const npmCli = process.env.npm_execpath;
    const [cmd, args] =
      npmCli && /\.c?js$/.test(npmCli)
        ? [process.execPath, [npmCli, "run", "dev"]]
        : ["npm", ["run", "dev"]];
    const child = spawn(cmd, args, {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const server = new DevServer(port, opts.stateDir, opts.secrets, child);
    const ok = await waitForHealth(port, {
      timeoutMs: opts.startTimeoutMs ?? 180_000,
      stop: () => server.#exit !== undefined,
    });
    if (!ok) {
      const why = server.#exit ? `exited (${server.#exit.code ?? server.#exit.signal})` : "did not answer /health in time";
      const tail = server.output().slice(-4000);
      await server.stop();
      throw new Error(`npm run dev ${why}. Last output:\n${tail}`);
    }
    return server;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** What the server printed so far, with the secrets replaced by <KEY>. */
  output(): string {
    let out = this.#output;
    for (const [k, v] of Object.entries(this.secrets)) out = out.split(v).join(`<${k}>`);
    return out;
  }

  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves once npm has exited and the group is gone. */
  async stop(graceMs = 15_000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    const signalGroup = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig);
        return true;
      } catch {
        return false; // ESRCH: the group is gone
      }
    };
    if (!signalGroup("SIGTERM")) {
      await this.#exited;
      return;
    }
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (!groupAlive(pid)) break;
      await sleep(100);
    }
    if (groupAlive(pid)) {
      signalGroup("SIGKILL");
      while (groupAlive(pid)) await sleep(100);
    }
    if (this.#exit === undefined) await this.#exited;
  }
}

/** Polls GET /health until it answers 200; false on timeout or when `stop()` says so. */
export async function waitForHealth(
  port: number,
  { timeoutMs, stop }: { timeoutMs: number; stop: () => boolean },
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stop()) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return false;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
