// Runs the project's pinned wrangler under the Node that runs this script (npm puts the
// project's Node 22 first on PATH), always with `-c wrangler.toml` and without telemetry.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./local-env.mjs";

export const WRANGLER_JS = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
export const CONFIG = join(ROOT, "wrangler.toml");

export function wranglerEnv(extra = {}) {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    // No network for the `Request.cf` lookup (workers.cloudflare.com): use miniflare's placeholder.
    CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
    ...extra,
  };
}

/** Spawns `wrangler <args> -c wrangler.toml` in the repo root; stdin is closed (never a prompt). */
export function spawnWrangler(args, { env = wranglerEnv(), stdio = ["ignore", "inherit", "inherit"] } = {}) {
  return spawn(process.execPath, [WRANGLER_JS, ...args, "-c", CONFIG], { cwd: ROOT, env, stdio });
}

/** Resolves with the exit code (signals count as failure). */
export function waitForExit(child) {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Applies the local D1 migrations of binding DB. With stdin closed wrangler is non-interactive
 * and takes the fallback "yes" for its confirmation prompt; CI=true makes that explicit.
 */
export async function applyLocalMigrations({ stateDir } = {}) {
  const args = ["d1", "migrations", "apply", "DB", "--local"];
  if (stateDir) args.push("--persist-to", stateDir);
  const code = await waitForExit(spawnWrangler(args, { env: wranglerEnv({ CI: "true" }) }));
  if (code !== 0) throw new Error(`wrangler d1 migrations apply failed (exit ${code})`);
}
