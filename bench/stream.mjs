#!/usr/bin/env node
// `npm run bench:stream` — streaming fan-out: 1, 10 and 50 dashboards on one tenant while a run
// streams 2,000 tokens from a fake model provider. Measures the gateway's added time to first
// token (over the provider's own) and the time from a provider token to its arrival at the last
// dashboard. See bench/README.md. Every server started here is stopped on exit, error or Ctrl-C.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cpuSeconds, freePort, killAllSync, sampleMemory, startServer, stopAll, waitHttp } from "./lib/procs.mjs";
import { gcWatch, hrNow, startDashboardWorker } from "./lib/stream-load.mjs";
import { baseUrlFor, startFakeProvider } from "../test/fakes/model-provider.ts";
import { recordInReadme } from "./lib/record.mjs";

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const SCRATCH = path.join(BENCH, ".scratch");
const LOGS = path.join(SCRATCH, "logs");
const TOKEN_PREFIX = "t";

const { values: opt } = parseArgs({
  options: {
    dashboards: { type: "string", default: "1,10,50" },
    tokens: { type: "string", default: "2000" },
    runs: { type: "string", default: "5" },
    "interval-ms": { type: "string", default: "5" },
    "first-token-ms": { type: "string", default: "20" },
    "warmup-tokens": { type: "string", default: "100" },
    parse: { type: "string", default: "scan" },
    session: { type: "string", default: "fresh" },
    "no-record": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opt.help) {
  console.log(`usage: npm run bench:stream -- [--dashboards 1,10,50] [--tokens 2000] [--runs 5] [--interval-ms 5]
                               [--first-token-ms 20] [--warmup-tokens 100] [--parse scan|json]
                               [--session fresh|reuse] [--no-record]
  --interval-ms     pause between two provider tokens (the provider's pace)
  --first-token-ms  the provider's own time to first token (delay before token 0)
  --parse           how dashboards read frames: scan (prefix checks, no JSON.parse; default) or json
  --session         fresh: every run in a new session (default); reuse: all runs of a dashboard count in one
                    session (its transcript is cached in the Durable Object after the warm-up)
  Results go to stdout, bench/.scratch/stream-last-run.json and (unless --no-record) bench/README.md.`);
  process.exit(0);
}
const cfg = {
  dashboards: opt.dashboards.split(",").map(Number),
  tokens: Number(opt.tokens),
  runs: Number(opt.runs),
  intervalMs: Number(opt["interval-ms"]),
  firstTokenMs: Number(opt["first-token-ms"]),
  warmupTokens: Number(opt["warmup-tokens"]),
  parse: opt.parse,
  session: opt.session,
};
if (cfg.dashboards.some((n) => !(Number.isInteger(n) && n >= 1 && n <= 500))) throw new Error("bad --dashboards");
if (!(Number.isInteger(cfg.tokens) && cfg.tokens >= 1 && cfg.tokens <= 100000)) throw new Error("bad --tokens");
if (!(Number.isInteger(cfg.runs) && cfg.runs >= 1 && cfg.runs <= 100)) throw new Error("bad --runs");
if (!(cfg.intervalMs >= 0 && cfg.intervalMs <= 10000)) throw new Error("bad --interval-ms");
if (!(cfg.firstTokenMs >= 0 && cfg.firstTokenMs <= 60000)) throw new Error("bad --first-token-ms");
if (!(Number.isInteger(cfg.warmupTokens) && cfg.warmupTokens >= 1)) throw new Error("bad --warmup-tokens");
if (!["scan", "json"].includes(cfg.parse)) throw new Error("bad --parse (scan or json)");
if (!["fresh", "reuse"].includes(cfg.session)) throw new Error("bad --session (fresh or reuse)");
const TARGET_ADDED_TTFT_MS = 5;

// ---- cleanup on every exit path ----------------------------------------------------------
let fake = null;
let dash = null;
let stopping = false;
const mainGc = gcWatch();
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  try {
    await Promise.allSettled([dash?.terminate(), fake?.close(), stopAll()]);
  } finally {
    process.exit(code);
  }
}
process.on("SIGINT", () => { console.error("\ninterrupted; stopping servers…"); shutdown(130); });
process.on("SIGTERM", () => shutdown(143));
process.on("SIGHUP", () => shutdown(129));
process.on("uncaughtException", (e) => { console.error(`\nbench failed: ${e.stack ?? e}`); shutdown(1); });
process.on("exit", killAllSync);

// ---- helpers --------------------------------------------------------------------------
const pkgVersion = (dir) => {
  try { return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version; } catch { return null; }
};
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "—");
const mb = (b) => (b / 1048576).toFixed(0);
function percentile(values, p) {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const median = (values) => percentile(values, 50);
function baseEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("npm_")) env[k] = v;
  return { ...env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", ...extra };
}

/**
 * A copy of the working tree (without node_modules, .git, .wrangler, bench/, .dev.vars*) to run
 * the gateway from: `wrangler dev` reloads the Worker — dropping every WebSocket — whenever a
 * source file changes, so edits made while the bench runs would break runs or mix code versions.
 */
function snapshotSource() {
  const dst = path.join(SCRATCH, "stream-src");
  fs.rmSync(dst, { recursive: true, force: true });
  const skipTop = new Set(["node_modules", ".git", ".wrangler", "bench"]);
  fs.mkdirSync(dst, { recursive: true });
  for (const name of fs.readdirSync(ROOT)) {
    if (skipTop.has(name)) continue;
    fs.cpSync(path.join(ROOT, name), path.join(dst, name), { recursive: true, filter: (src) => !path.basename(src).startsWith(".dev.vars") });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dst, "node_modules"), "dir");
  const git = (...args) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD").stdout?.trim();
  const dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench").stdout?.trim();
  return { dir: dst, describe: head ? `${head}${dirty ? " + uncommitted changes" : ""}` : "unknown" };
}

async function startGateway(srcDir) {
  const devScript = path.join(srcDir, "scripts", "dev.mjs");
  const port = await freePort();
  const token = crypto.randomBytes(24).toString("base64url");
  const stateDir = path.join(SCRATCH, "stream-gateway-state");
  fs.rmSync(stateDir, { recursive: true, force: true });
  const srv = startServer("gateway", process.execPath, [devScript], {
    cwd: srcDir,
    env: baseEnv({
      PORT: String(port),
      ARGENT_STATE_DIR: stateDir,
      ARGENT_GATEWAY_TOKEN: token,
      ADMIN_TOKEN: crypto.randomBytes(24).toString("base64url"),
      CONFIG_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
    }),
    logFile: path.join(LOGS, "stream-gateway.log"),
  });
  await waitHttp(srv, `http://127.0.0.1:${port}/health`, 180000);
  return { srv, url: `ws://127.0.0.1:${port}/ws`, token };
}

/** CPU seconds all processes of the machine have used so far (busy time of /proc/stat, USER_HZ = 100). */
function machineCpuSeconds() {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait
  return (f.reduce((a, b) => a + b, 0) - f[3] - (f[4] ?? 0)) / 100;
}

/** The fake provider's reply: `delayMs` is its own first-token time, then `tokens` deltas `t0 `, `t1 `, … */
const reply = (tokens) => ({
  kind: "reply",
  steps: [{ delayMs: cfg.firstTokenMs }, { tokens, intervalMs: cfg.intervalMs, token: TOKEN_PREFIX }],
  usage: { input: 10, output: tokens },
});

/**
 * One run: dashboard 0 sends chat.send, every dashboard records the arrival of each token, the
 * fake provider recorded when it received the request and sent each token. All times are
 * `performance.timeOrigin + performance.now()`; the worker's clock is mapped to ours with `offset`.
 */
async function runOnce(gw, scenarioId, n, tag, tokens) {
  const runId = `bench-${n}-${tag}-${crypto.randomBytes(3).toString("hex")}`;
  const { offset, rtt } = await dash.clockOffset();
  const before = fake.scenario(scenarioId).requests.length;
  const timeoutMs = Math.max(120000, tokens * (cfg.intervalMs + 1) * 20);
  const srvCpu0 = cpuSeconds(gw.srv);
  const machine0 = machineCpuSeconds();
  const cpu0 = process.cpuUsage();
  const wall0 = hrNow();
  mainGc.clear();
  const sessionKey = cfg.session === "reuse" ? `bench-${n}` : runId;
  let m;
  try {
    m = await dash.request({ cmd: "run", runId, sessionKey, tokens, tokenPrefix: TOKEN_PREFIX, timeoutMs });
  } catch (e) {
    const log = fs.readFileSync(gw.srv.logFile, "utf8");
    if (/Reloading local server/.test(log)) throw new Error(`${e.message}\n(wrangler dev reloaded the Worker during the run — a file of ${path.relative(ROOT, path.join(SCRATCH, "stream-src"))} changed?)`);
    throw new Error(`${e.message}\n(gateway log ${path.relative(ROOT, gw.srv.logFile)}, last lines:\n${log.split("\n").slice(-15).join("\n")})`);
  }
  const wallS = (hrNow() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const machineCpuPct = (100 * (machineCpuSeconds() - machine0)) / wallS;
  const serverCpuPct = (100 * (cpuSeconds(gw.srv) - srvCpu0)) / wallS;
  const benchCpuPct = (100 * (cpu.user + cpu.system)) / 1e6 / wallS;

  const st = fake.scenario(scenarioId);
  if (st.requests.length !== before + 1) throw new Error(`run ${runId}: the provider got ${st.requests.length - before} requests (expected 1)`);
  if (m.res?.status !== "started") throw new Error(`run ${runId}: chat.send answered ${JSON.stringify(m.res)}`);
  const badEnd = m.dashboards.find((d) => d.finalState !== "final");
  if (badEnd) throw new Error(`run ${runId}: a dashboard saw the run end as "${badEnd.finalState}"`);
  const recvAt = st.requests[before].receivedAtMs;
  const firstSent = st.firstTokenSentAtMs[before];
  const sent = st.tokenSentAtMs[before];
  if (sent.length !== tokens) throw new Error(`run ${runId}: provider sent ${sent.length} of ${tokens} tokens`);

  // Worker clock → main clock: t_main = t_worker − offset.
  const arr = m.arrivals;
  const toMain = (t) => t - offset;
  const lastLat = [];
  const firstLat = [];
  let missing = 0;
  for (let i = 0; i < tokens; i++) {
    let lo = Infinity, hi = -Infinity, miss = 0;
    for (const a of arr) {
      const t = a[i];
      if (Number.isNaN(t)) { miss++; continue; }
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    missing += miss;
    if (miss === 0) {
      lastLat.push(toMain(hi) - sent[i]);
      firstLat.push(toMain(lo) - sent[i]);
    }
  }
  const providerTtft = firstSent - recvAt;
  const observedTtft = arr[0][0] - m.sendAt; // both on the worker's clock
  const toProvider = recvAt - toMain(m.sendAt); // chat.send sent → request at the provider
  const fromProvider = toMain(arr[0][0]) - firstSent; // token 0 sent → token 0 at the sending dashboard
  const endAt = Math.max(...m.dashboards.map((d) => d.finalAt));
  const durS = (endAt - m.sendAt) / 1000;
  const frames = m.dashboards.reduce((s, d) => s + d.frames, 0);
  const bytes = m.dashboards.reduce((s, d) => s + d.bytes, 0);
  return {
    runId,
    dashboards: n,
    tokens,
    clock: { offsetMs: offset, syncRttMs: rtt },
    providerTtft,
    observedTtft,
    addedTtft: observedTtft - providerTtft,
    toProvider,
    fromProvider,
    chatSendResMs: m.resAt - m.sendAt, // chat.send → its response at dashboard 0
    runStartMs: m.startAt - m.sendAt, // chat.send → the run's lifecycle start event at dashboard 0
    startToProvider: recvAt - toMain(m.startAt), // lifecycle start arrived → request at the provider
    providerPaceMs: (sent[tokens - 1] - sent[0]) / Math.max(1, tokens - 1),
    providerStreamS: (sent[tokens - 1] - recvAt) / 1000,
    lastTokenLagMs: lastLat.length ? lastLat[lastLat.length - 1] : NaN,
    lastLat,
    firstLat,
    missing,
    duplicates: m.dashboards.reduce((s, d) => s + d.dup, 0),
    durationS: durS,
    frames,
    bytes,
    eventsPerS: frames / durS,
    tokenEventsPerS: (n * tokens - missing) / durS,
    mbPerS: bytes / 1048576 / durS,
    bytesPerDashboard: bytes / n,
    serverCpuPct,
    benchCpuPct,
    otherCpuPct: Math.max(0, machineCpuPct - serverCpuPct - benchCpuPct), // everything else on the machine
    clientElu: m.elu,
    clientGc: { count: m.gc.count, totalMs: m.gc.totalMs, maxMs: m.gc.maxMs },
    providerGc: (({ count, totalMs, maxMs }) => ({ count, totalMs, maxMs }))(mainGc.since(wall0)),
  };
}

// ---- main -------------------------------------------------------------------------------
async function main() {
  fs.mkdirSync(LOGS, { recursive: true });
  const t0 = Date.now();
  const loadBefore = os.loadavg();
  console.log(`argent-edge bench:stream — dashboards ${cfg.dashboards.join(", ")}; ${cfg.runs} run(s) of ${cfg.tokens} tokens each; ` +
    `provider first token after ${cfg.firstTokenMs} ms, then one token every ${cfg.intervalMs} ms; dashboards parse: ${cfg.parse}`);
  console.log(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`);

  fake = await startFakeProvider({ now: hrNow });
  const source = snapshotSource();
  const gw = await startGateway(source.dir);
  console.log(`gateway ready in ${((Date.now() - t0) / 1000).toFixed(0)} s (log ${path.relative(ROOT, gw.srv.logFile)}); fake provider ${fake.url}`);
  dash = await startDashboardWorker();
  const mem = sampleMemory([gw.srv], 500);

  const runs = [];
  for (const n of cfg.dashboards) {
    // Scenario per cell: request 0 is the (short) warm-up, every later one a full run.
    const scenarioId = fake.addScenario({ replies: [reply(cfg.warmupTokens), reply(cfg.tokens)] });
    await dash.request({ cmd: "open", n, url: gw.url, token: gw.token, parse: cfg.parse });
    await dash.request({
      cmd: "call",
      method: "config.patch",
      params: { patches: [
        { path: "models.providers.anthropic.baseUrl", value: baseUrlFor(fake.url, scenarioId) },
        { path: "models.providers.anthropic.apiKey", value: "sk-ant-bench" },
      ] },
    });
    const w = await runOnce(gw, scenarioId, n, "warm", cfg.warmupTokens);
    console.log(`  ${String(n).padStart(3)} dashboards warm-up: added TTFT ${fmt(w.addedTtft, 2)} ms, ${cfg.warmupTokens} tokens`);
    for (let r = 0; r < cfg.runs; r++) {
      const x = await runOnce(gw, scenarioId, n, `r${r + 1}`, cfg.tokens);
      runs.push(x);
      console.log(`  ${String(n).padStart(3)} dashboards run ${r + 1}: TTFT provider ${fmt(x.providerTtft, 2)} observed ${fmt(x.observedTtft, 2)} ` +
        `added ${fmt(x.addedTtft, 2)} ms (to provider ${fmt(x.toProvider, 2)} + back ${fmt(x.fromProvider, 2)}; chat.send answered in ${fmt(x.chatSendResMs, 2)}, run start event ${fmt(x.runStartMs, 2)}); token→last dashboard ` +
        `p50 ${fmt(median(x.lastLat), 2)} p99 ${fmt(percentile(x.lastLat, 99), 2)} max ${fmt(Math.max(...x.lastLat), 1)} ms; ` +
        `${fmt(x.eventsPerS, 0)} events/s ${fmt(x.mbPerS, 1)} MB/s; cpu srv ${fmt(x.serverCpuPct, 0)}% bench ${fmt(x.benchCpuPct, 0)}% ` +
        `client ELU ${fmt(100 * x.clientElu, 0)}%, other processes ${fmt(x.otherCpuPct, 0)}%; longest GC pause client ${fmt(x.clientGc.maxMs, 1)} provider ${fmt(x.providerGc.maxMs, 1)} ms${x.missing ? `; MISSING ${x.missing}` : ""}${x.duplicates ? `; dup ${x.duplicates}` : ""}`);
    }
    await dash.request({ cmd: "close" });
  }
  const peaks = mem.stop();
  const loadAfter = os.loadavg();
  await dash.terminate();
  dash = null;
  await fake.close();
  fake = null;
  await stopAll();
  return report(runs, { loadBefore, loadAfter, peaks, source: source.describe, elapsedMs: Date.now() - t0 });
}

function summarize(runs, n) {
  const rs = runs.filter((r) => r.dashboards === n);
  const all = (k) => rs.flatMap((r) => r[k]);
  const per = (k) => rs.map((r) => r[k]);
  const last = all("lastLat");
  return {
    dashboards: n,
    runs: rs.length,
    providerTtftP50: median(per("providerTtft")),
    observedTtftP50: median(per("observedTtft")),
    addedTtftP50: median(per("addedTtft")),
    addedTtftP99: percentile(per("addedTtft"), 99),
    addedTtftRuns: per("addedTtft"),
    toProviderP50: median(per("toProvider")),
    fromProviderP50: median(per("fromProvider")),
    chatSendResP50: median(per("chatSendResMs")),
    runStartP50: median(per("runStartMs")),
    startToProviderP50: median(per("startToProvider")),
    lastP50: median(last),
    lastP99: percentile(last, 99),
    lastMax: last.length ? Math.max(...last) : NaN,
    firstP50: median(all("firstLat")),
    eventsPerS: median(per("eventsPerS")),
    tokenEventsPerS: median(per("tokenEventsPerS")),
    mbPerS: median(per("mbPerS")),
    mbPerDashboardRun: median(per("bytesPerDashboard")) / 1048576,
    providerPaceMs: median(per("providerPaceMs")),
    durationS: median(per("durationS")),
    serverCpuPct: median(per("serverCpuPct")),
    benchCpuPct: median(per("benchCpuPct")),
    otherCpuPctMax: Math.max(...per("otherCpuPct")),
    clientEluPct: 100 * median(per("clientElu")),
    missing: rs.reduce((s, r) => s + r.missing, 0),
    clockSyncRttMaxMs: Math.max(...rs.map((r) => r.clock.syncRttMs)),
    clientGcMaxMs: Math.max(...rs.map((r) => r.clientGc.maxMs)),
    providerGcMaxMs: Math.max(...rs.map((r) => r.providerGc.maxMs)),
  };
}

function report(runs, { loadBefore, loadAfter, peaks, source, elapsedMs }) {
  const sums = cfg.dashboards.map((n) => summarize(runs, n));
  const cpus = os.cpus();
  const machine = `${cpus.length} cores (${cpus[0]?.model?.trim() ?? "?"}), ${mb(os.totalmem())} MB RAM, ${os.type()} ${os.release()}`;
  const versions = [
    `gateway source ${source}`,
    `node ${process.version} (bench process: fake provider + dashboards; wrangler)`,
    `wrangler ${pkgVersion(path.join(ROOT, "node_modules", "wrangler"))}`,
    `workerd ${pkgVersion(path.join(ROOT, "node_modules", "workerd"))}`,
    `ai ${pkgVersion(path.join(ROOT, "node_modules", "ai"))}`,
  ].join(", ");
  const date = new Date().toISOString();
  const met = sums.every((s) => s.addedTtftP50 < TARGET_ADDED_TTFT_MS);

  const L = [];
  L.push(`Run ${date} — ${machine}`);
  L.push(`Versions: ${versions}`);
  L.push(`Load: per dashboard count, 1 warm-up run (${cfg.warmupTokens} tokens) + ${cfg.runs} measured runs of ${cfg.tokens} tokens; ` +
    `fake provider (Anthropic SSE): first token ${cfg.firstTokenMs} ms after the request, then one token every ${cfg.intervalMs} ms ` +
    `(achieved pace ${sums.map((s) => fmt(s.providerPaceMs, 2)).join(" / ")} ms/token); dashboards parse frames by \`${cfg.parse}\`. ` +
    `Load average (1/5/15 min) before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${loadAfter.map((l) => l.toFixed(2)).join(" ")}; ` +
    `CPU of all other processes of the machine during the measured runs: at most ${fmt(Math.max(...sums.map((s) => s.otherCpuPctMax)), 0)}% of a core.`);
  L.push("");
  L.push("TTFT columns are medians over the runs (added p99 = the worst run when there are fewer than 100 runs); " +
    "token → dashboard latencies are over every token of every run. Server CPU = all gateway processes (100% = one core); " +
    "bench CPU = the bench process (fake provider + dashboards); client ELU = how busy the dashboards' thread was.");
  L.push("");
  L.push("| dashboards | provider TTFT ms | observed TTFT ms | **added TTFT p50 ms** | added p99 ms | → provider / ← back ms | token → last dashboard p50 ms | p99 ms | max ms | token → first dashboard p50 ms | events/s delivered | MB/s (MB per dashboard per run) | server CPU | bench CPU | client ELU | missing |");
  L.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const s of sums) {
    L.push(`| ${s.dashboards} | ${fmt(s.providerTtftP50, 2)} | ${fmt(s.observedTtftP50, 2)} | **${fmt(s.addedTtftP50, 2)}** | ${fmt(s.addedTtftP99, 2)} | ` +
      `${fmt(s.toProviderP50, 2)} / ${fmt(s.fromProviderP50, 2)} | ${fmt(s.lastP50, 2)} | ${fmt(s.lastP99, 2)} | ${fmt(s.lastMax, 1)} | ${fmt(s.firstP50, 2)} | ` +
      `${fmt(s.eventsPerS, 0)} | ${fmt(s.mbPerS, 1)} (${fmt(s.mbPerDashboardRun, 1)}) | ${fmt(s.serverCpuPct, 0)}% | ${fmt(s.benchCpuPct, 0)}% | ${fmt(s.clientEluPct, 0)}% | ${s.missing} |`);
  }
  L.push("");
  L.push("Where the added TTFT goes (medians, ms): " + sums.map((s) => `${s.dashboards} → chat.send answered ${fmt(s.chatSendResP50, 2)}, ` +
    `run start event ${fmt(s.runStartP50, 2)}, request at the provider ${fmt(s.toProviderP50, 2)} (${fmt(s.startToProviderP50, 2)} after the start event), ` +
    `first token back at the sender ${fmt(s.fromProviderP50, 2)} after the provider sent it`).join("; ") + ".");
  L.push("");
  L.push("Added TTFT per run (ms): " + sums.map((s) => `${s.dashboards} → ${s.addedTtftRuns.map((v) => fmt(v, 2)).join(", ")}`).join("; ") + ".");
  L.push("");
  L.push(`- added first-token time p50 < ${TARGET_ADDED_TTFT_MS} ms at every dashboard count: ${met ? "MET" : "NOT MET"} ` +
    `(${sums.map((s) => `${s.dashboards}: ${fmt(s.addedTtftP50, 2)} ms`).join(", ")})`);
  const p = peaks.gateway;
  if (p) {
    const parts = Object.entries(p.peakByComm).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c, b]) => `${c} ${mb(b)} MB`);
    L.push(`- peak RSS of the gateway (whole process group): ${mb(p.peakTotal)} MB (${parts.join(", ")})`);
  }
  L.push(`- longest GC pause in the bench process during the measured runs: dashboards' thread ` +
    `${fmt(Math.max(...sums.map((s) => s.clientGcMaxMs)), 1)} ms, fake provider's thread ${fmt(Math.max(...sums.map((s) => s.providerGcMaxMs)), 1)} ms ` +
    "(token delays much longer than these are not the client's)");
  L.push(`- clock: one clock (\`performance.timeOrigin + performance.now()\`) in the fake provider and the dashboards' thread; ` +
    `the thread offset is re-measured before every run (worst sync round trip ${fmt(Math.max(...sums.map((s) => s.clockSyncRttMaxMs)), 3)} ms)`);
  L.push("");
  L.push(`Whole run: ${(elapsedMs / 1000).toFixed(0)} s.`);

  const text = L.join("\n");
  console.log("\n" + text);
  fs.writeFileSync(path.join(SCRATCH, "stream-last-run.json"), JSON.stringify({
    date, machine, versions, config: cfg, loadBefore, loadAfter, summaries: sums, peaks,
    runs: runs.map(({ lastLat, firstLat, ...r }) => ({
      ...r,
      lastLatP50: median(lastLat), lastLatP99: percentile(lastLat, 99), lastLatMax: lastLat.length ? Math.max(...lastLat) : NaN,
      firstLatP50: median(firstLat),
      // Every token's latency to the last dashboard (ms, in token order), to see spikes and drift.
      lastLatByToken: lastLat.map((v) => Number(v.toFixed(2))),
    })),
  }, null, 2) + "\n");
  if (!opt["no-record"]) recordInReadme("stream-results", "npm run bench:stream", text);
}

main().then(
  () => shutdown(0),
  async (e) => {
    if (stopping) return; // interrupted: the failure is the interruption's doing
    console.error(`\nbench failed: ${e.stack ?? e}`);
    await shutdown(1);
  },
);
