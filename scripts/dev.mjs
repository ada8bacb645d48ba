#!/usr/bin/env node
// `npm run dev`: applies the local D1 migrations and serves the gateway with `wrangler dev`
// on ws://127.0.0.1:$PORT (default 18789), the local tenant `default` reachable with
// ARGENT_GATEWAY_TOKEN.
//
// Settings (environment wins over .dev.vars):
//   PORT                   port to serve on (default 18789)
//   ARGENT_STATE_DIR       wrangler state directory (--persist-to) for D1 and Durable Objects;
//                          default .wrangler/state
//   ARGENT_GATEWAY_TOKEN   gateway token of tenant `default`   } generated into .dev.vars on
//   ADMIN_TOKEN            bearer token of the admin API       } first run when neither the
//   CONFIG_ENCRYPTION_KEY  base64 of 32 bytes (config secrets) } environment nor .dev.vars has it
//
// The Worker gets its secrets from a private env file that this script writes (all of .dev.vars,
// overridden by the environment) and passes as `wrangler dev --env-file`: with --env-file wrangler
// reads neither .dev.vars nor process.env for bindings, so the environment really wins.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  DEV_VARS_PATH,
  HOST,
  ROOT,
  SECRETS,
  formatDotEnvLine,
  gatewayUrl,
  resolvePort,
  resolveSecrets,
  resolveStateDir,
  workerVars,
} from "./lib/local-env.mjs";
import { applyLocalMigrations, spawnWrangler, wranglerEnv } from "./lib/wrangler.mjs";
import { waitForHealth } from "./lib/health.mjs";

const log = (line = "") => process.stdout.write(`${line}\n`);

async function main() {
  const port = resolvePort();
  const stateDir = resolveStateDir();
  const { values, sources, devVars, generated } = resolveSecrets({ generate: true });
  const url = gatewayUrl(port);
  const devVarsName = relative(process.cwd(), DEV_VARS_PATH) || ".dev.vars";

  log("");
  log("Argent Edge (local)");
  log(`  URL:           ${url}`);
  log(`  tenant:        default   (also ${url}/t/<tenant>/ws)`);
  log(`  gateway token: ${values.ARGENT_GATEWAY_TOKEN}   (${describe(sources.ARGENT_GATEWAY_TOKEN, devVarsName)})`);
  for (const { key } of SECRETS.slice(1)) {
    log(`  ${`${key}:`.padEnd(22)} ${describe(sources[key], devVarsName)}`);
  }
  log(`  state:         ${stateDir ?? join(ROOT, ".wrangler", "state")}`);
  log("");

  // The Worker's secrets, in a file only this user can read, removed when we exit.
  const envDir = mkdtempSync(join(tmpdir(), "argent-dev-"));
  const envFile = join(envDir, "worker.env");
  const cleanup = () => rmSync(envDir, { recursive: true, force: true });
  process.on("exit", cleanup);
  const vars = workerVars({ devVars, values });
  writeFileSync(envFile, Object.entries(vars).map(([k, v]) => formatDotEnvLine(k, v)).join("\n") + "\n", { mode: 0o600 });

  let stopping = false;
  let child;
  const onSignal = (signal) => {
    stopping = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      // wrangler normally stops workerd and exits at once; don't hang forever if it doesn't.
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    } else if (!child) {
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  log("Applying local D1 migrations…");
  await applyLocalMigrations({ stateDir });
  if (stopping) process.exit(130);

  const args = [
    "dev",
    "--ip", HOST,
    "--port", String(port),
    "--env-file", envFile,
    "--show-interactive-dev-session=false",
    // Exposes GET /__scheduled, which runs the minute sweep the Cron Trigger runs when deployed.
    "--test-scheduled",
  ];
  if (stateDir) args.push("--persist-to", stateDir);
  log(`Starting wrangler dev on ${HOST}:${port}…`);
  child = spawnWrangler(args, { env: wranglerEnv() });
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 + (signalNumber[signal] ?? 1) : 1)));
  });
  child.once("error", (err) => {
    console.error(`failed to start wrangler: ${err.message}`);
    process.exit(1);
  });

  waitForHealth(port, { timeoutMs: 180_000, stop: () => stopping || child.exitCode !== null }).then((ok) => {
    if (ok) {
      log("");
      log(`Argent Edge ready: ${url}  (gateway token ${values.ARGENT_GATEWAY_TOKEN})`);
      log("");
    }
  });

  const code = await exited;
  cleanup();
  process.exit(stopping && (code === 130 || code === 143 || code === 0) ? 0 : code);
}

const signalNumber = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

function describe(source, devVarsName) {
  switch (source) {
    case "env":
      return "from the environment";
    case ".dev.vars":
      return `from ${devVarsName}`;
    case "generated":
      return `generated, saved to ${devVarsName}`;
    default:
      return "not set";
  }
}

main().catch((err) => {
  console.error(`npm run dev: ${err.message}`);
  process.exit(1);
});
