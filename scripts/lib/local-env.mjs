// Local settings shared by scripts/dev.mjs and scripts/status.mjs:
// the port, the state directory and the three local secrets, read from the
// environment first and from .dev.vars second (generated into .dev.vars when
// neither has them and the caller asks for it).
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is scripts/lib/local-env.mjs). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DEV_VARS_PATH = join(ROOT, ".dev.vars");
export const DEFAULT_PORT = 18789;
export const HOST = "127.0.0.1";

const token = () => randomBytes(32).toString("base64url");

/** The local secrets, in the order they are written, with how a missing one is made. */
export const SECRETS = [
  { key: "ARGENT_GATEWAY_TOKEN", what: "gateway token of the local tenant 'default'", generate: token },
  { key: "ADMIN_TOKEN", what: "bearer token for the admin API (/admin)", generate: token },
  { key: "CONFIG_ENCRYPTION_KEY", what: "AES-256-GCM key for secrets in config", generate: () => randomBytes(32).toString("base64") },
];

/** The port to serve on: PORT from the environment, else 18789. */
export function resolvePort(env = process.env) {
  const raw = env.PORT;
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be an integer from 1 to 65535, got ${JSON.stringify(raw)}`);
  }
  return port;
}

/** The wrangler state directory (absolute) from ARGENT_STATE_DIR, or undefined for wrangler's default. */
export function resolveStateDir(env = process.env) {
  const dir = env.ARGENT_STATE_DIR;
  return dir ? resolve(dir) : undefined;
}

export function gatewayUrl(port) {
  return `ws://${HOST}:${port}`;
}

/**
 * Parses a .dev.vars / .env file the way wrangler (dotenv) does for the cases that matter here:
 * KEY=VALUE lines, optional `export `, # comments, single/double/back-quoted values
 * (double quotes expand \n).
 */
export function parseDotEnv(text) {
  const out = {};
  const re = /^\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$/gm;
  const lines = text.replace(/\r\n?/g, "\n");
  let m;
  while ((m = re.exec(lines)) !== null) {
    let value = (m[2] || "").trim();
    const q = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/m, "$2");
    if (q === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
    out[m[1]] = value;
  }
  return out;
}

/** Formats one KEY=VALUE line that dotenv reads back unchanged. */
export function formatDotEnvLine(key, value) {
  if (/^[\w+/=.:@-]*$/.test(value)) return `${key}=${value}`;
  if (!value.includes("'") && !value.includes("\n")) return `${key}='${value}'`;
  return `${key}=${JSON.stringify(value)}`;
}

export function readDevVars(path = DEV_VARS_PATH) {
  if (!existsSync(path)) return {};
  return parseDotEnv(readFileSync(path, "utf8"));
}

/**
 * The local secrets: each from the environment when set there (non-empty), else from .dev.vars,
 * else (with `generate`) newly made and appended to .dev.vars. Nothing is written when no
 * secret had to be generated.
 *
 * Returns { values: {KEY: value}, sources: {KEY: "env"|".dev.vars"|"generated"|"missing"},
 *           devVars: {...all of .dev.vars}, generated: [KEY...] }.
 */
export function resolveSecrets({ env = process.env, devVarsPath = DEV_VARS_PATH, generate = false } = {}) {
  const devVars = readDevVars(devVarsPath);
  const values = {};
  const sources = {};
  const generated = [];
  for (const { key, generate: make } of SECRETS) {
    if (env[key]) {
      values[key] = env[key];
      sources[key] = "env";
    } else if (devVars[key]) {
      values[key] = devVars[key];
      sources[key] = ".dev.vars";
    } else if (generate) {
      values[key] = make();
      sources[key] = "generated";
      generated.push(key);
    } else {
      sources[key] = "missing";
    }
  }
  if (generated.length > 0) {
    appendDevVars(devVarsPath, generated.map((key) => [key, values[key]]));
  }
  return { values, sources, devVars, generated };
}

function appendDevVars(path, entries) {
  const before = existsSync(path) ? readFileSync(path, "utf8") : "";
  const lines = entries.map(([k, v]) => formatDotEnvLine(k, v)).join("\n");
  const header = before === "" ? "# Local secrets for `npm run dev` (generated; never commit this file).\n" : "";
  const sep = before === "" || before.endsWith("\n") ? "" : "\n";
  writeFileSync(path, `${before}${sep}${header}${lines}\n`, { mode: 0o600 });
  try {
    chmodSync(path, 0o600);
  } catch {
    // best effort (e.g. a file owned by someone else)
  }
}

/**
 * Everything the Worker gets as secret bindings: all of .dev.vars, where the environment wins
 * for any key it also sets, plus the three resolved secrets.
 */
export function workerVars({ env = process.env, devVars, values }) {
  const out = {};
  for (const [key, value] of Object.entries(devVars)) out[key] = env[key] ? env[key] : value;
  Object.assign(out, values);
  return out;
}
