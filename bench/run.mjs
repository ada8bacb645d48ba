#!/usr/bin/env node
// `npm run bench` — pipelined `health` RPC throughput of the gateway vs. a minimal echo
// Durable Object in the same runtime (and, with `--peer openclaw`, vs. upstream OpenClaw).
// See bench/README.md. Every server started here is stopped on exit, error or Ctrl-C.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { closeClients, openClient, openClients, runLoad } from "./lib/load.mjs";
import { cpuSeconds, freePort, killAllSync, sampleMemory, sleep, startServer, stopAll, waitHttp } from "./lib/procs.mjs";
import { recordInReadme } from "./lib/record.mjs";

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const SCRATCH = path.join(BENCH, ".scratch");
const LOGS = path.join(SCRATCH, "logs");
const OPENCLAW_VERSION = "2026.9.6";
const NODE24_VERSION = "24.21.0"; // exact 24.x from `npm view node versions` (openclaw needs >=24.16 <25)

const { values: opt } = parseArgs({
  options: {
    peer: { type: "string" },
    conns: { type: "string" },
    window: { type: "string", default: "4" },
    warmup: { type: "string", default: "500" },
    duration: { type: "string", default: "3000" },
    rounds: { type: "string", default: "3" },
    targets: { type: "string" },
    "no-record": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opt.help) {
  console.log(`usage: npm run bench -- [--peer openclaw] [--conns 1,16,64] [--window K] [--warmup ms] [--duration ms] [--rounds R]
                        [--targets gateway,echo] [--no-record]
  Results go to stdout, bench/.scratch/last-run.json and (unless --no-record) bench/README.md.`);
  process.exit(0);
}
if (opt.peer && opt.peer !== "openclaw") {
  console.error(`unknown --peer ${opt.peer} (only "openclaw")`);
  process.exit(2);
}
const withOpenclaw = opt.peer === "openclaw";
const conns = (opt.conns ?? (withOpenclaw ? "1,16,32,64" : "1,16,64")).split(",").map(Number);
const targets = (opt.targets ?? ["gateway", "echo", ...(withOpenclaw ? ["openclaw"] : [])].join(",")).split(",");
const load = { window: Number(opt.window), warmupMs: Number(opt.warmup), durationMs: Number(opt.duration) };
for (const [k, v] of Object.entries(load)) if (!(v > 0)) throw new Error(`bad --${k}`);
const rounds = Number(opt.rounds);
if (!(rounds >= 1 && rounds <= 20)) throw new Error("bad --rounds");
if (conns.some((n) => !(n >= 1 && n <= 512))) throw new Error("bad --conns");
for (const t of targets) if (!["gateway", "echo", "openclaw"].includes(t)) throw new Error(`unknown target ${t}`);
if (targets.includes("openclaw") && !withOpenclaw) throw new Error("target openclaw needs --peer openclaw");

// ---- cleanup on every exit path ----------------------------------------------------------
let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  try { await stopAll(); } finally { process.exit(code); }
}
process.on("SIGINT", () => { console.error("\ninterrupted; stopping servers…"); shutdown(130); });
process.on("SIGTERM", () => shutdown(143));
process.on("SIGHUP", () => shutdown(129));
process.on("uncaughtException", (e) => { console.error(`\nbench failed: ${e.stack ?? e}`); shutdown(1); });
process.on("exit", killAllSync);

// ---- helpers --------------------------------------------------------------------------
const wranglerJs = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const pkgVersion = (dir) => {
  try { return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version; } catch { return null; }
};
const mb = (b) => (b / 1048576).toFixed(0);
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "—");
function baseEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("npm_")) env[k] = v;
  return { ...env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", ...extra };
}

async function startEcho() {
  const port = await freePort();
  const inspector = await freePort();
  const persist = path.join(SCRATCH, "echo-state");
  const srv = startServer(
    "echo",
    process.execPath,
    [wranglerJs, "dev", "-c", path.join(BENCH, "echo", "wrangler.toml"), "--ip", "127.0.0.1", "--port", String(port),
      "--inspector-port", String(inspector), "--persist-to", persist, "--show-interactive-dev-session=false"],
    { cwd: ROOT, env: baseEnv(), logFile: path.join(LOGS, "echo.log") },
  );
  await waitHttp(srv, `http://127.0.0.1:${port}/health`);
  return { srv, url: `ws://127.0.0.1:${port}/ws`, token: "unused", protocol: 3, clientId: "bench" };
}

async function startGateway() {
  const devScript = path.join(ROOT, "scripts", "dev.mjs");
  if (!fs.existsSync(devScript)) throw new Error("scripts/dev.mjs does not exist yet (needed to start the gateway)");
  const port = await freePort();
  const token = crypto.randomBytes(24).toString("base64url");
  const stateDir = path.join(SCRATCH, "gateway-state");
  fs.rmSync(stateDir, { recursive: true, force: true });
  const srv = startServer("gateway", process.execPath, [devScript], {
    cwd: ROOT,
    env: baseEnv({
      PORT: String(port),
      ARGENT_STATE_DIR: stateDir,
      ARGENT_GATEWAY_TOKEN: token,
      ADMIN_TOKEN: crypto.randomBytes(24).toString("base64url"),
      CONFIG_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
    }),
    logFile: path.join(LOGS, "gateway.log"),
  });
  await waitHttp(srv, `http://127.0.0.1:${port}/health`, 180000);
  return { srv, url: `ws://127.0.0.1:${port}/ws`, token, protocol: 3, clientId: "bench" };
}

function run(cmd, args, cwd, logFile) {
  const fd = fs.openSync(logFile, "a");
  const r = spawnSync(cmd, args, { cwd, env: baseEnv(), stdio: ["ignore", fd, fd] });
  fs.closeSync(fd);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.error?.message}); see ${logFile}:\n` +
      fs.readFileSync(logFile, "utf8").split("\n").filter((l) => !/EBADENGINE/.test(l)).slice(-25).join("\n"));
  }
}

function installOpenclaw(dir) {
  const nm = path.join(dir, "node_modules");
  const node24 = path.join(nm, ".bin", "node");
  const ok = pkgVersion(path.join(nm, "openclaw")) === OPENCLAW_VERSION && fs.existsSync(node24) &&
    spawnSync(node24, ["--version"], { encoding: "utf8" }).stdout?.trim() === `v${NODE24_VERSION}`;
  if (ok) return node24;
  console.log(`installing openclaw@${OPENCLAW_VERSION} and node@${NODE24_VERSION} into ${path.relative(ROOT, dir)} (npm)…`);
  fs.rmSync(nm, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "argent-bench-openclaw-peer", private: true, version: "0.0.0" }, null, 2) + "\n");
  fs.rmSync(path.join(dir, "package-lock.json"), { force: true });
  const log = path.join(LOGS, "openclaw-install.log");
  fs.writeFileSync(log, "");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  // Two steps: openclaw's preinstall refuses Node < 24, so node@24 must already be in
  // node_modules/.bin (npm puts that before the project's Node 22 on the scripts' PATH).
  run(npm, ["install", "--no-audit", "--no-fund", "--save-exact", `node@${NODE24_VERSION}`], dir, log);
  run(npm, ["install", "--no-audit", "--no-fund", "--save-exact", `openclaw@${OPENCLAW_VERSION}`], dir, log);
  return node24;
}

async function startOpenclaw() {
  const dir = path.join(SCRATCH, "openclaw");
  const node24 = installOpenclaw(dir);
  const state = path.join(dir, "state");
  const home = path.join(dir, "home");
  fs.mkdirSync(state, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  const tmp = path.join(dir, "tmp");
  fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const configPath = path.join(state, "openclaw.json");
  fs.writeFileSync(configPath, JSON.stringify({
    update: { checkOnStart: false },
    models: { catalogRefresh: { enabled: false } },
    logging: { file: path.join(dir, "openclaw.log") },
  }, null, 2) + "\n");
  const port = await freePort();
  const token = crypto.randomBytes(24).toString("base64url");
  const env = {
    PATH: `${path.join(dir, "node_modules", ".bin")}:${process.env.PATH}`,
    HOME: home,
    OPENCLAW_STATE_DIR: state,
    OPENCLAW_CONFIG_PATH: configPath,
    TMPDIR: tmp, // its lock files go to os.tmpdir()
    LANG: process.env.LANG ?? "C.UTF-8",
    NO_COLOR: "1",
  };
  const srv = startServer("openclaw", node24,
    [path.join(dir, "node_modules", "openclaw", "openclaw.mjs"), "gateway", "run", "--port", String(port), "--bind", "loopback",
      "--auth", "token", "--token", token, "--allow-unconfigured"],
    { cwd: dir, env, logFile: path.join(LOGS, "openclaw.log") });
  await waitHttp(srv, `http://127.0.0.1:${port}/health`, 120000);
  // `gateway-client` + mode `backend`: OpenClaw only accepts client ids from a fixed list; a
  // token-authenticated backend operator without a device identity is allowed from loopback.
  return { srv, url: `ws://127.0.0.1:${port}/`, token, protocol: 4, clientId: "gateway-client", version: OPENCLAW_VERSION };
}

// ---- main -------------------------------------------------------------------------------
async function main() {
  fs.mkdirSync(LOGS, { recursive: true });
  const t0 = Date.now();
  console.log(`argent-edge bench: targets ${targets.join(", ")}; connections ${conns.join(", ")}; ` +
    `window ${load.window} req/socket; warm-up ${load.warmupMs} ms, measure ${load.durationMs} ms per cell`);

  const starters = { gateway: startGateway, echo: startEcho, openclaw: startOpenclaw };
  const servers = {};
  // OpenClaw first (install + start is the slowest and it is Node, not workerd), then the two
  // wrangler dev instances in parallel.
  if (targets.includes("openclaw")) servers.openclaw = await startOpenclaw();
  await Promise.all(targets.filter((t) => t !== "openclaw").map(async (t) => { servers[t] = await starters[t](); }));
  console.log(`servers ready in ${((Date.now() - t0) / 1000).toFixed(0)} s (logs in ${path.relative(ROOT, LOGS)}/)`);

  // One handshake + a few calls per target so lazy setup (DO creation, D1 upsert, JIT) is done.
  // OpenClaw answers connects with a retryable UNAVAILABLE while its sidecars still start.
  for (const t of targets) {
    let c;
    for (const deadline = Date.now() + 90000; !c; ) {
      try {
        c = await openClient(servers[t]);
      } catch (e) {
        if (!e.frameError?.retryable || Date.now() > deadline) throw e;
        await sleep(e.frameError.retryAfterMs ?? 500);
      }
    }
    await runLoad([c], { ...load, warmupMs: 200, durationMs: 300 });
    await closeClients([c]);
  }

  const mem = sampleMemory(targets.map((t) => servers[t].srv));
  const rows = []; // one per (target, conns, round)
  for (const [i, n] of conns.entries()) {
    for (let round = 0; round < rounds; round++) {
      // Rotate the order every round so drift / noise does not always favour one target.
      const order = targets.map((_, j) => targets[(i + round + j) % targets.length]);
      for (const t of order) {
        const clients = await openClients(n, servers[t]);
        const cpu0 = { srv: cpuSeconds(servers[t].srv), cli: process.cpuUsage(), wall: performance.now() };
        const r = await runLoad(clients, load);
        const wall = (performance.now() - cpu0.wall) / 1000;
        const cli = process.cpuUsage(cpu0.cli);
        r.serverCpuPct = (100 * (cpuSeconds(servers[t].srv) - cpu0.srv)) / wall;
        r.clientCpuPct = (100 * (cli.user + cli.system)) / 1e6 / wall;
        await closeClients(clients);
        rows.push({ target: t, round, ...r });
        console.log(`  ${t.padEnd(9)} conns ${String(n).padStart(3)} round ${round + 1}: ${fmt(r.rps, 0).padStart(7)} RPC/s  ` +
          `p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  cpu srv ${fmt(r.serverCpuPct, 0)}% client ${fmt(r.clientCpuPct, 0)}%` +
          `${r.errors ? `  errors ${r.errors} (e.g. ${r.errorSample})` : ""}${r.closedDuringRun ? `  closed ${r.closedDuringRun}` : ""}`);
        await sleep(200);
      }
    }
  }
  // Per cell: the round with the median RPC/s (its p50/p99), plus the min–max RPC/s spread.
  const results = [];
  for (const n of conns) for (const t of targets) {
    const rs = rows.filter((r) => r.target === t && r.connections === n).sort((a, b) => a.rps - b.rps);
    const med = rs[Math.floor((rs.length - 1) / 2)];
    results.push({
      ...med,
      rpsMin: rs[0].rps,
      rpsMax: rs[rs.length - 1].rps,
      errors: rs.reduce((a, r) => a + r.errors + r.closedDuringRun, 0),
      rounds: rs.map(({ rps, p50, p99, serverCpuPct, clientCpuPct }) => ({ rps, p50, p99, serverCpuPct, clientCpuPct })),
    });
  }
  const peaks = mem.stop();
  await stopAll();
  return report(results, peaks, servers, Date.now() - t0);
}

function report(results, peaks, servers, elapsedMs) {
  const get = (t, n) => results.find((r) => r.target === t && r.connections === n);
  const cpus = os.cpus();
  const machine = `${cpus.length} cores (${cpus[0]?.model?.trim() ?? "?"}), ${mb(os.totalmem())} MB RAM, ${os.type()} ${os.release()}`;
  const versions = [
    `node ${process.version} (bench client + wrangler)`,
    `wrangler ${pkgVersion(path.join(ROOT, "node_modules", "wrangler"))}`,
    `workerd ${pkgVersion(path.join(ROOT, "node_modules", "workerd"))}`,
    ...(servers.openclaw ? [`openclaw ${OPENCLAW_VERSION} on node v${NODE24_VERSION}`] : []),
  ].join(", ");
  const date = new Date().toISOString();

  const lines = [];
  lines.push(`Run ${date} — ${machine}`);
  lines.push(`Versions: ${versions}`);
  lines.push(`Load: \`health\` over v3 frames (OpenClaw: v4), ${load.window} pipelined requests per socket, ` +
    `${load.warmupMs} ms warm-up + ${load.durationMs} ms measured, ${rounds} interleaved round(s) per cell; ` +
    `the load generator shares the 2 cores with the servers.`);
  lines.push("");
  lines.push("RPC/s is the median round (range in brackets); p50/p99 and CPU are from that round. " +
    "Server CPU = all processes of that server (100% = one core).");
  lines.push("");
  lines.push("| conns | target | RPC/s (median) | [min – max] | p50 ms | p99 ms | errors | server CPU | client CPU |");
  lines.push("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const n of conns) for (const t of targets) {
    const r = get(t, n);
    if (r) lines.push(`| ${n} | ${t} | ${fmt(r.rps, 0)} | ${fmt(r.rpsMin, 0)} – ${fmt(r.rpsMax, 0)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${r.errors} | ${fmt(r.serverCpuPct, 0)}% | ${fmt(r.clientCpuPct, 0)}% |`);
  }
  const ratioRows = [];
  for (const n of conns) {
    const g = get("gateway", n), e = get("echo", n), o = get("openclaw", n);
    const cells = [];
    if (g && e) cells.push(`gateway/echo ${fmt((100 * g.rps) / e.rps, 0)}%`);
    if (g && o) cells.push(`gateway/openclaw ${fmt(g.rps / o.rps, 2)}×`);
    if (e && o) cells.push(`(echo/openclaw ${fmt(e.rps / o.rps, 2)}×)`);
    if (cells.length) ratioRows.push(`- ${n} conns: ${cells.join(", ")}`);
  }
  if (ratioRows.length) {
    lines.push("");
    lines.push(`Ratios (targets: gateway ≥ 60% of echo${servers.openclaw ? "; gateway ≥ 5× openclaw at 32 connections" : ""}):`);
    lines.push(...ratioRows);
  }
  const verdicts = [];
  const echoRatios = conns.map((n) => [get("gateway", n), get("echo", n)]).filter(([g, e]) => g && e).map(([g, e]) => g.rps / e.rps);
  if (echoRatios.length) verdicts.push(`gateway ≥ 60% of echo at every N: ${echoRatios.every((x) => x >= 0.6) ? "MET" : "NOT MET"} (min ${fmt(100 * Math.min(...echoRatios), 0)}%)`);
  const g32 = get("gateway", 32), o32 = get("openclaw", 32);
  if (g32 && o32) verdicts.push(`gateway ≥ 5× openclaw at 32 conns: ${g32.rps / o32.rps >= 5 ? "MET" : "NOT MET"} (${fmt(g32.rps / o32.rps, 2)}×)`);
  if (verdicts.length) {
    lines.push("");
    lines.push(...verdicts.map((v) => `- ${v}`));
  }
  lines.push("");
  lines.push("Peak RSS during the measured runs (whole process group + descendants):");
  for (const t of targets) {
    const p = peaks[servers[t].srv.name];
    const parts = Object.entries(p.peakByComm).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c, b]) => `${c} ${mb(b)} MB`);
    lines.push(`- ${t}: ${mb(p.peakTotal)} MB total (${parts.join(", ")})`);
  }
  lines.push("");
  lines.push(`Whole run: ${(elapsedMs / 1000).toFixed(0)} s.`);

  const text = lines.join("\n");
  console.log("\n" + text);
  fs.writeFileSync(path.join(SCRATCH, "last-run.json"),
    JSON.stringify({ date, machine, versions, load, rounds, conns, targets, results, peaks }, null, 2) + "\n");
  if (!opt["no-record"]) {
    recordInReadme(withOpenclaw ? "results-openclaw" : "results", `npm run bench${withOpenclaw ? " -- --peer openclaw" : ""}`, text);
  }
}

main().then(
  () => shutdown(0),
  async (e) => {
    console.error(`\nbench failed: ${e.stack ?? e}`);
    await shutdown(1);
  },
);
