#!/usr/bin/env node
// `npm run bench:sweep` — the scheduler's minute sweep (src/scheduler/sweep.ts) over a real local
// D1 seeded with T tenants, J cron jobs and D due tenants: sweep time, the sweep's D1 queries and
// the rows its query reads, and the D1 queries of the Durable Objects it wakes. Several scales in
// one run show what the sweep's cost grows with. See bench/README.md ("Scheduler sweep").
// Every server and wrangler process started here is stopped on success, error and Ctrl-C.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { cpuSeconds, freePort, killAllSync, sleep, startServer, stopAll, stopServer, tailLog, waitHttp } from "./lib/procs.mjs";
import { checkSql, validateScale, writeSeedSql } from "./lib/sweep-seed.mjs";
import { recordInReadme } from "./lib/record.mjs";

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const SCRATCH = path.join(BENCH, ".scratch");
const WORK = path.join(SCRATCH, "sweep");
const LOGS = path.join(SCRATCH, "logs");
const SRC = path.join(SCRATCH, "sweep-src");
const LOOKAHEAD_MS = 60_000; // SWEEP_LOOKAHEAD_MS in src/scheduler/sweep.ts
const PAGE = 1000; // PAGE in src/scheduler/sweep.ts
/** Seeded due times lie this far after seeding, so no alarm of a woken tenant fires during the run. */
const DUE_AFTER_SEED_MS = 6 * 3_600_000;
const DEFAULT_SCALES = "10000/100000/1000,1000/10000/1000,1000/100000/1000,10000/100000/100,1000/10000/100,10000/100000/2000";

const { values: opt } = parseArgs({
  options: {
    scales: { type: "string", default: DEFAULT_SCALES },
    rounds: { type: "string", default: "3" },
    "no-count": { type: "boolean", default: false },
    "no-record": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opt.help) {
  console.log(`usage: npm run bench:sweep -- [--scales T/J/D,…] [--rounds R] [--no-count] [--no-record]
  --scales     tenants/jobs/due per configuration (default ${DEFAULT_SCALES});
               due jobs are on distinct tenants, one due job each
  --rounds     gateway runs per scale, each from a fresh copy of the seeded D1 (default 3)
  --no-count   skip the instrumented run that counts D1 queries and rows read per scale
  --no-record  do not write the results into bench/README.md
  Results go to stdout, bench/.scratch/sweep-last-run.json and (unless --no-record) bench/README.md.`);
  process.exit(0);
}
const scales = opt.scales.split(",").map((s) => {
  const [tenants, jobs, due] = s.split("/").map((x) => Number(x.replace(/[_k]/g, (c) => (c === "k" ? "000" : ""))));
  const scale = { tenants, jobs, due };
  validateScale(scale);
  return scale;
});
const rounds = Number(opt.rounds);
if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20)) throw new Error("bad --rounds (1…20)");

// ---- cleanup on every exit path ----------------------------------------------------------
let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  try {
    await stopAll();
    fs.rmSync(path.join(WORK, "secrets"), { recursive: true, force: true });
  } finally {
    process.exit(code);
  }
}
process.on("SIGINT", () => { console.error("\ninterrupted; stopping servers…"); shutdown(130); });
process.on("SIGTERM", () => shutdown(143));
process.on("SIGHUP", () => shutdown(129));
process.on("uncaughtException", (e) => { console.error(`\nbench:sweep failed: ${e.stack ?? e}`); shutdown(1); });
process.on("exit", killAllSync);

// ---- helpers --------------------------------------------------------------------------
const wranglerJs = (root) => path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const pkgVersion = (dir) => {
  try { return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version; } catch { return null; }
};
const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "—");
const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const scaleName = ({ tenants, jobs, due }) => `${tenants}-${jobs}-${due}`;
function baseEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("npm_")) env[k] = v;
  return { ...env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CLOUDFLARE_CF_FETCH_ENABLED: "false", ...extra };
}
const secrets = () => ({
  ARGENT_GATEWAY_TOKEN: crypto.randomBytes(24).toString("base64url"),
  ADMIN_TOKEN: crypto.randomBytes(24).toString("base64url"),
  CONFIG_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
});

/** Runs `wrangler <args> -c <config>` to completion (as a tracked process group, so Ctrl-C stops it). */
async function wrangler(name, args, { config, cwd = SRC, extraEnv = {}, timeoutMs = 600_000 } = {}) {
  const logFile = path.join(LOGS, `sweep-${name}.log`);
  const srv = startServer(`wrangler-${name}`, process.execPath, [wranglerJs(cwd), ...args, "-c", config ?? path.join(cwd, "wrangler.toml")],
    { cwd, env: baseEnv({ CI: "true", ...extraEnv }), logFile });
  const deadline = Date.now() + timeoutMs;
  while (!srv.exited && Date.now() < deadline) await sleep(50);
  if (!srv.exited) {
    await stopServer(srv);
    throw new Error(`wrangler ${args.slice(0, 3).join(" ")} timed out; log ${logFile}`);
  }
  await stopServer(srv); // forgets it (already exited)
  if (srv.exitCode !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed (${srv.exitCode}); log ${logFile}:\n${tailLog(srv)}`);
  return fs.readFileSync(logFile, "utf8");
}

/** The JSON array that `wrangler d1 execute --json` prints (after any warnings). */
function parseWranglerJson(out) {
  const i = out.indexOf("[");
  if (i < 0) throw new Error(`no JSON in wrangler output:\n${out.slice(-2000)}`);
  return JSON.parse(out.slice(i));
}

/**
 * A copy of the working tree (without node_modules, .git, .wrangler, bench/, .dev.vars*) to run
 * the gateway from: `wrangler dev` reloads the Worker whenever a source file changes, and other
 * people edit src/ while benches run. The bench-only counting entry is copied in too.
 */
function snapshotSource() {
  fs.rmSync(SRC, { recursive: true, force: true });
  fs.mkdirSync(path.join(SRC, "bench", "lib"), { recursive: true });
  const skipTop = new Set(["node_modules", ".git", ".wrangler", "bench"]);
  for (const name of fs.readdirSync(ROOT)) {
    if (skipTop.has(name)) continue;
    fs.cpSync(path.join(ROOT, name), path.join(SRC, name), { recursive: true, filter: (src) => !path.basename(src).startsWith(".dev.vars") });
  }
  fs.copyFileSync(path.join(BENCH, "lib", "sweep-counting-worker.mjs"), path.join(SRC, "bench", "lib", "sweep-counting-worker.mjs"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(SRC, "node_modules"), "dir");
  const git = (...args) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD").stdout?.trim();
  const dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src", "durable-objects", "migrations", "wrangler.toml").stdout?.trim();
  return head ? `${head}${dirty ? " + uncommitted changes" : ""}` : "unknown";
}

/**
 * wrangler.toml of the instrumented run: the gateway's own config (same bindings, same D1
 * database id, so the same local D1 file) with `main` = the counting entry, without the
 * production environment.
 */
function writeCountingConfig() {
  const src = fs.readFileSync(path.join(SRC, "wrangler.toml"), "utf8");
  let toml = src.split(/^\[env\.production\]/m)[0];
  if (!/^main = "src\/index.ts"$/m.test(toml)) throw new Error('wrangler.toml: expected main = "src/index.ts"');
  toml = toml.replace(/^main = "src\/index.ts"$/m, 'main = "bench/lib/sweep-counting-worker.mjs"');
  toml = toml.replace(/^name = "argent-edge"$/m, 'name = "argent-edge-sweep-count"');
  const file = path.join(SRC, "wrangler.sweep-count.toml");
  fs.writeFileSync(file, `# Generated by bench/sweep.mjs (bench only).\n${toml}`);
  return file;
}

// ---- seeding ------------------------------------------------------------------------------
/** A migrated, seeded local D1 (a wrangler state directory) for one scale; copied per round. */
async function seedTemplate(scale) {
  const dir = path.join(WORK, "templates", scaleName(scale));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  await wrangler(`migrate-${scaleName(scale)}`, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", dir]);
  const nowMs = Date.now();
  const dueByMs = nowMs + DUE_AFTER_SEED_MS;
  const sqlFile = path.join(WORK, `seed-${scaleName(scale)}.sql`);
  const seed = writeSeedSql(sqlFile, scale, { dueByMs, nowMs });
  const t1 = performance.now();
  await wrangler(`seed-${scaleName(scale)}`, ["d1", "execute", "DB", "--local", "--persist-to", dir, "--file", sqlFile, "--yes"]);
  const t2 = performance.now();
  const out = await wrangler(`check-${scaleName(scale)}`, ["d1", "execute", "DB", "--local", "--persist-to", dir, "--json", "--command", checkSql(dueByMs)]);
  const check = parseWranglerJson(out)[0].results[0];
  fs.rmSync(sqlFile, { force: true });
  const want = { tenants: scale.tenants, jobs: scale.jobs, due_jobs: scale.due, wakeups: scale.tenants, due_tenants: scale.due };
  for (const [k, v] of Object.entries(want)) {
    if (check[k] !== v) throw new Error(`seed check ${k}: got ${check[k]}, want ${v}`);
  }
  return { dir, dueByMs, seedMs: t2 - t1, migrateMs: t1 - t0, sqlBytes: seed.bytes, statements: seed.statements };
}

function freshState(template) {
  const dir = path.join(WORK, "state");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(template.dir, dir, { recursive: true });
  return dir;
}

// ---- servers ------------------------------------------------------------------------------
async function startGateway(stateDir, name) {
  const port = await freePort();
  const logFile = path.join(LOGS, `sweep-${name}.log`);
  const srv = startServer("gateway", process.execPath, [path.join(SRC, "scripts", "dev.mjs")], {
    cwd: SRC,
    env: baseEnv({ PORT: String(port), ARGENT_STATE_DIR: stateDir, ...secrets() }),
    logFile,
  });
  await waitHttp(srv, `http://127.0.0.1:${port}/health`, 180_000);
  return { srv, port, logFile };
}

async function startCounting(stateDir, config, name) {
  const port = await freePort();
  const inspector = await freePort();
  const envDir = path.join(WORK, "secrets");
  fs.mkdirSync(envDir, { recursive: true, mode: 0o700 });
  const envFile = path.join(envDir, "worker.env");
  fs.writeFileSync(envFile, Object.entries(secrets()).map(([k, v]) => `${k}=${v}`).join("\n") + "\n", { mode: 0o600 });
  const logFile = path.join(LOGS, `sweep-${name}.log`);
  const srv = startServer("counting", process.execPath,
    [wranglerJs(SRC), "dev", "-c", config, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
      "--persist-to", stateDir, "--env-file", envFile, "--show-interactive-dev-session=false", "--test-scheduled"],
    { cwd: SRC, env: baseEnv(), logFile });
  await waitHttp(srv, `http://127.0.0.1:${port}/health`, 180_000);
  return { srv, port, logFile };
}

// ---- one sweep ----------------------------------------------------------------------------
const SWEEP_LINE = /sweep: (\d+)\/(\d+) tenants woken, (\d+) failed, (\d+) queries, (\d+) ms/g;

/**
 * Runs the Worker's scheduled() handler once with scheduledTime `timeMs` (miniflare's
 * /cdn-cgi/local/scheduled, which `wrangler dev` serves; it answers when the handler's promise
 * settles, and the handler awaits the sweep), then reads the sweep's report from the log line.
 */
async function sweep(server, timeMs) {
  const before = fs.statSync(server.logFile).size;
  const cpu0 = cpuSeconds(server.srv);
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${server.port}/cdn-cgi/local/scheduled?time=${timeMs}&cron=*+*+*+*+*&format=json`,
    { signal: AbortSignal.timeout(120_000) });
  const body = await res.text();
  const roundTripMs = performance.now() - t0;
  if (!res.ok) throw new Error(`scheduled handler failed: HTTP ${res.status} ${body}`);
  let report;
  for (const deadline = Date.now() + 10_000; !report && Date.now() < deadline; ) {
    const fd = fs.openSync(server.logFile, "r");
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(size - before);
    fs.readSync(fd, buf, 0, buf.length, before);
    fs.closeSync(fd);
    const m = [...buf.toString("utf8").matchAll(SWEEP_LINE)].at(-1);
    if (m) report = { woken: +m[1], due: +m[2], failed: +m[3], queries: +m[4], durationMs: +m[5] };
    else await sleep(100);
  }
  if (!report) throw new Error(`no "sweep: …" log line after the scheduled event; log ${server.logFile}`);
  return { ...report, roundTripMs, serverCpuS: cpuSeconds(server.srv) - cpu0 };
}

/** The empty sweep: GET /__scheduled (wrangler --test-scheduled, scheduledTime = now): nothing is due yet. */
async function emptySweep(server) {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${server.port}/__scheduled?cron=*+*+*+*+*`, { signal: AbortSignal.timeout(60_000) });
  await res.text();
  if (!res.ok) throw new Error(`/__scheduled: HTTP ${res.status}`);
  return performance.now() - t0;
}

async function getJson(server, p) {
  const res = await fetch(`http://127.0.0.1:${server.port}${p}`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`${p}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

// ---- main -----------------------------------------------------------------------------------
async function main() {
  fs.mkdirSync(LOGS, { recursive: true });
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const t0 = Date.now();
  const code = snapshotSource();
  const countingConfig = opt["no-count"] ? null : writeCountingConfig();
  console.log(`argent-edge bench:sweep — scales ${scales.map((s) => `${s.tenants}/${s.jobs}/${s.due}`).join(", ")} ` +
    `(tenants/jobs/due); ${rounds} gateway round(s) per scale${countingConfig ? " + 1 counting run" : ""}; code ${code}`);

  const results = [];
  for (const scale of scales) {
    const label = `${scale.tenants.toLocaleString("en-US")} tenants / ${scale.jobs.toLocaleString("en-US")} jobs / ${scale.due.toLocaleString("en-US")} due`;
    const tpl = await seedTemplate(scale);
    console.log(`\n${label}: seeded in ${fmt(tpl.seedMs / 1000, 1)} s (${tpl.statements} INSERTs, ${fmt(tpl.sqlBytes / 1048576, 1)} MB SQL; ` +
      `migrations ${fmt(tpl.migrateMs / 1000, 1)} s)`);
    const sweepAt = tpl.dueByMs - LOOKAHEAD_MS; // the sweep wakes what is due by sweepAt + 60 s = dueByMs
    const r = { ...scale, seedMs: tpl.seedMs, sweepAtMs: sweepAt, rounds: [], counting: null };

    for (let round = 0; round < rounds; round++) {
      const server = await startGateway(freshState(tpl), `gateway-${scaleName(scale)}-${round + 1}`);
      try {
        const emptyMs = await emptySweep(server); // also warms the Worker's scheduled path
        const cold = await sweep(server, sweepAt);
        const warm = await sweep(server, sweepAt);
        const emptyAgainMs = await emptySweep(server);
        r.rounds.push({ emptyRoundTripMs: emptyMs, emptyAgainRoundTripMs: emptyAgainMs, cold, warm });
        console.log(`  round ${round + 1}: cold ${cold.durationMs} ms (round trip ${fmt(cold.roundTripMs)} ms, ${cold.woken}/${cold.due} woken, ` +
          `${cold.failed} failed, ${cold.queries} sweep queries, server CPU ${fmt(cold.serverCpuS, 2)} s); ` +
          `warm ${warm.durationMs} ms (${warm.woken}/${warm.due}); empty sweep round trip ${fmt(emptyMs)} ms first, ${fmt(emptyAgainMs)} ms last`);
      } finally {
        await stopServer(server.srv);
      }
    }

    if (countingConfig) {
      const server = await startCounting(freshState(tpl), countingConfig, `counting-${scaleName(scale)}`);
      try {
        await emptySweep(server);
        await getJson(server, "/__bench/d1-stats?reset=1");
        const cold = await sweep(server, sweepAt);
        const coldStats = await getJson(server, "/__bench/d1-stats?reset=1");
        const warm = await sweep(server, sweepAt);
        const warmStats = await getJson(server, "/__bench/d1-stats?reset=1");
        const explain = await getJson(server, "/__bench/explain");
        const bare = await getJson(server, `/__bench/bare-wake?n=${cold.woken}&prefix=bare-`);
        if (cold.woken > 0 && coldStats.durableObjects.statements === 0) {
          throw new Error("the counting run saw no Durable Object queries (DOs not in the Worker's isolate?)");
        }
        r.counting = { cold, coldStats, warm, warmStats, explain, bare };
        const perDo = (s, rep) => (rep.woken ? s.durableObjects.statements / rep.woken : NaN);
        console.log(`  counting run: sweep ${coldStats.worker.statements} D1 queries reading ${int(coldStats.worker.rowsRead)} rows ` +
          `(pages: ${coldStats.sweepQueries.map((q) => `${q.rows} rows/${q.rowsRead} read`).join(", ")}); ` +
          `woken DOs: ${fmt(perDo(coldStats, cold), 1)} D1 queries each cold, ${fmt(perDo(warmStats, warm), 1)} warm; ` +
          `${bare.n} new DOs woken without D1 in ${bare.durationMs} ms; ` +
          `plan: ${(explain.plan ?? [explain.error]).join(" | ")}`);
      } finally {
        await stopServer(server.srv);
      }
    }
    results.push(r);
    fs.rmSync(tpl.dir, { recursive: true, force: true });
  }
  fs.rmSync(path.join(WORK, "state"), { recursive: true, force: true });
  await stopAll();
  return report(results, code, Date.now() - t0);
}

// ---- report ---------------------------------------------------------------------------------
function summarize(r) {
  const cold = r.rounds.map((x) => x.cold);
  const warm = r.rounds.map((x) => x.warm);
  const c = r.counting;
  const coldMs = median(cold.map((x) => x.durationMs));
  return {
    tenants: r.tenants, jobs: r.jobs, due: r.due,
    coldMs, coldMin: Math.min(...cold.map((x) => x.durationMs)), coldMax: Math.max(...cold.map((x) => x.durationMs)),
    coldRoundTripMs: median(cold.map((x) => x.roundTripMs)),
    warmMs: median(warm.map((x) => x.durationMs)),
    emptyRoundTripMs: median(r.rounds.map((x) => x.emptyRoundTripMs)),
    emptyAgainRoundTripMs: median(r.rounds.map((x) => x.emptyAgainRoundTripMs)),
    queries: median(cold.map((x) => x.queries)),
    woken: median(cold.map((x) => x.woken)),
    reportedDue: median(cold.map((x) => x.due)),
    failed: Math.max(...cold.map((x) => x.failed)),
    serverCpuS: median(cold.map((x) => x.serverCpuS)),
    msPerDue: coldMs / Math.max(1, median(cold.map((x) => x.woken))),
    rowsRead: c ? c.coldStats.sweepQueries.reduce((a, q) => a + q.rowsRead, 0) : NaN,
    sweepPages: c ? c.coldStats.sweepQueries.map((q) => q.rows) : [],
    sweepQueryD1Ms: c ? c.coldStats.sweepQueries.reduce((a, q) => a + (q.durationMs ?? 0), 0) : NaN,
    doQueriesCold: c && c.cold.woken ? c.coldStats.durableObjects.statements / c.cold.woken : NaN,
    doQueriesWarm: c && c.warm.woken ? c.warmStats.durableObjects.statements / c.warm.woken : NaN,
    doWritesCold: c ? c.coldStats.durableObjects.rowsWritten : NaN,
    warmRecreated: c ? c.warmStats.doInstances : NaN,
    bareWakeMs: c?.bare ? c.bare.durationMs : NaN,
    countingColdMs: c ? c.cold.durationMs : NaN,
    seedS: r.seedMs / 1000,
  };
}

/**
 * Pairs of scales that differ 10× in one dimension with the due count (vary = "jobs") or the job
 * count (vary = "due") fixed, both fully woken: the ratio of their cold sweep times.
 */
function pairs(rows, vary) {
  const fixed = vary === "jobs" ? "due" : "jobs";
  const ok = rows.filter((x) => x.woken === x.due); // a sweep that missed due tenants does not count
  const out = [];
  for (const a of ok) for (const b of ok) {
    if (a[fixed] === b[fixed] && b[vary] === 10 * a[vary] && (vary === "jobs" || a.tenants === b.tenants)) {
      out.push({ a, b, ratio: b.coldMs / a.coldMs, rowsRatio: b.rowsRead / a.rowsRead });
    }
  }
  return out;
}

function report(results, code, elapsedMs) {
  const rows = results.map(summarize);
  const cpus = os.cpus();
  const machine = `${cpus.length} cores (${cpus[0]?.model?.trim() ?? "?"}), ${fmt(os.totalmem() / 1048576)} MB RAM, ${os.type()} ${os.release()}`;
  const versions = `node ${process.version}, wrangler ${pkgVersion(path.join(ROOT, "node_modules", "wrangler"))}, ` +
    `workerd ${pkgVersion(path.join(ROOT, "node_modules", "workerd"))}`;
  const date = new Date().toISOString();
  const load = os.loadavg().map((x) => x.toFixed(2)).join(" ");

  const lines = [];
  lines.push(`Run ${date} — ${machine}; load average at the end ${load}`);
  lines.push(`Versions: ${versions}; code ${code}`);
  lines.push(`Per scale: ${rounds} gateway round(s), each a fresh copy of the seeded local D1 + \`scripts/dev.mjs\`; ` +
    `"cold" = first sweep (no tenant DO in memory), "warm" = the same sweep again right after.`);
  lines.push("");
  lines.push("| tenants | jobs | due (seeded) | woken / reported due | sweep ms cold (median) | [min – max] | round trip ms | sweep ms warm | sweep queries | rows read by sweep query | ms per woken tenant | D1 queries per woken DO (cold / warm) | server CPU s |");
  lines.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const x of rows) {
    lines.push(`| ${int(x.tenants)} | ${int(x.jobs)} | ${int(x.due)} | ${int(x.woken)} / ${int(x.reportedDue)}${x.failed ? ` (${x.failed} failed)` : ""} | ` +
      `${int(x.coldMs)} | ${int(x.coldMin)} – ${int(x.coldMax)} | ${int(x.coldRoundTripMs)} | ${int(x.warmMs)} | ${x.queries} | ` +
      `${int(x.rowsRead)} (${x.sweepPages.length > 1 ? `${x.sweepPages.length} pages, ` : ""}${fmt(x.sweepQueryD1Ms)} ms in D1) | ${fmt(x.msPerDue, 2)} | ` +
      `${fmt(x.doQueriesCold, 1)} / ${fmt(x.doQueriesWarm, 1)}${x.warmRecreated > 0 ? ` (${int(x.warmRecreated)} DOs re-created)` : ""} | ${fmt(x.serverCpuS, 2)} |`);
  }
  if (rows.some((x) => x.warmRecreated > 0 || x.coldMax >= 8000)) {
    lines.push("");
    lines.push("Warm sweeps: local workerd evicts a Durable Object after 10 s without requests, so where the cold sweep takes " +
      "about that long, the warm sweep finds some or all of the DOs gone and those replan from scratch (a slower \"warm\" " +
      "median); \"DOs re-created\" counts them in the counting run.");
  }
  lines.push("");
  const st = (x) => `${int(x.tenants)}/${int(x.jobs)}/${int(x.due)}`;
  const empty = rows.map((x) => `${st(x)} ${fmt(x.emptyRoundTripMs)} / ${fmt(x.emptyAgainRoundTripMs)} ms`).join(", ");
  lines.push(`Empty sweep (nothing due; \`GET /__scheduled\` round trip, first request after start / again after the two sweeps): ${empty}.`);
  if (rows.some((x) => Number.isFinite(x.bareWakeMs))) {
    lines.push(`Waking alone (counting run: as many never-used DOs as the sweep woke, 50 at a time, RPC \`presence()\` without D1) ` +
      `vs that run's cold sweep: ${rows.filter((x) => Number.isFinite(x.bareWakeMs)).map((x) => `${st(x)} ${int(x.bareWakeMs)} vs ${int(x.countingColdMs)} ms`).join(", ")}.`);
  }
  lines.push(`Seeding (\`wrangler d1 execute --local --file\`): ${rows.map((x) => `${st(x)} ${fmt(x.seedS, 1)} s`).join(", ")}.`);
  const counted = results.find((r) => r.counting?.coldStats && r.tenants === 10_000 && r.jobs === 100_000 && r.due === 1_000) ??
    results.find((r) => r.counting?.coldStats);
  if (counted) {
    const c = counted.counting;
    const top = (s) => Object.entries(s.bySql).sort((a, b) => b[1].count - a[1].count)
      .map(([sql, e]) => `${e.count}× \`${sql.replace(/`/g, "'").slice(0, 110)}${sql.length > 110 ? "…" : ""}\``);
    lines.push("");
    lines.push(`D1 statements in the counting run of ${int(counted.tenants)} / ${int(counted.jobs)} / ${int(counted.due)}:`);
    lines.push(`- the sweep (Worker): ${top(c.coldStats.worker).join("; ")}`);
    lines.push(`- the woken Durable Objects, cold: ${top(c.coldStats.durableObjects).join("; ")}`);
    lines.push(`- the woken Durable Objects, warm: ${top(c.warmStats.durableObjects).join("; ") || "none"}`);
    lines.push(`- query plan of the sweep query: ${(c.explain.plan ?? [`(${c.explain.error})`]).join(" / ")}`);
  }
  const jobPairs = pairs(rows, "jobs");
  const duePairs = pairs(rows, "due");
  const short = rows.filter((x) => x.woken < x.due);
  const scaleText = (x) => `${int(x.tenants)} / ${int(x.jobs)} / ${int(x.due)}`;
  const pairText = (p, what) => `- 10× the ${what} (${scaleText(p.a)} → ${scaleText(p.b)}): sweep time ×${fmt(p.ratio, 2)} ` +
    `(${int(p.a.coldMs)} → ${int(p.b.coldMs)} ms), rows read by the sweep query ×${fmt(p.rowsRatio, 2)}.`;
  lines.push("");
  lines.push("Conclusion (tenants / jobs / due):");
  for (const p of jobPairs) lines.push(pairText(p, p.b.tenants === p.a.tenants ? "jobs (same tenants)" : "jobs and tenants"));
  for (const p of duePairs) lines.push(pairText(p, "due tenants"));
  // The headline: the pairs around the issue's scale (10,000 / 100,000 / 1,000) when present.
  const isIssue = (x) => x.tenants === 10_000 && x.jobs === 100_000 && x.due === 1_000;
  const jobsHead = jobPairs.find((p) => isIssue(p.b)) ?? jobPairs[0];
  const dueHead = duePairs.find((p) => isIssue(p.b)) ?? duePairs[0];
  if (jobsHead && dueHead) {
    const maxJobs = Math.max(...jobPairs.map((p) => p.ratio));
    const minDue = Math.min(...duePairs.map((p) => p.ratio));
    const verdict = maxJobs < 2 && minDue > 2 * maxJobs;
    lines.push(`- Sweep time for 10× due ÷ sweep time for 10× jobs = ${fmt(dueHead.ratio, 2)} / ${fmt(jobsHead.ratio, 2)} = ` +
      `${fmt(dueHead.ratio / jobsHead.ratio, 1)}: the sweep's cost ${verdict ? "grows with the due tenants, not with the jobs" : "does NOT clearly follow the due tenants only"} ` +
      `(10× jobs: ×${fmt(Math.min(...jobPairs.map((p) => p.ratio)), 2)}–${fmt(maxJobs, 2)}; 10× due: ×${fmt(minDue, 2)}–${fmt(Math.max(...duePairs.map((p) => p.ratio)), 2)}).`);
  }
  for (const x of short) {
    lines.push(`- ${int(x.tenants)} / ${int(x.jobs)} / ${int(x.due)}: the sweep woke only ${int(x.woken)} of ${int(x.due)} due tenants ` +
      `(it reported due = ${int(x.reportedDue)}; page size ${PAGE}) — see "Findings" above.`);
  }
  lines.push("");
  lines.push(`Whole run: ${fmt(elapsedMs / 1000)} s.`);

  const text = lines.join("\n");
  console.log("\n" + text);
  fs.writeFileSync(path.join(SCRATCH, "sweep-last-run.json"),
    JSON.stringify({ date, machine, versions, code, rounds, scales, summary: rows, results }, null, 2) + "\n");
  if (!opt["no-record"]) recordInReadme("sweep-results", "npm run bench:sweep", text);
}

main().then(
  () => shutdown(0),
  async (e) => {
    if (stopping) return; // interrupted: shutdown() is already stopping the servers
    console.error(`\nbench:sweep failed: ${e.stack ?? e}`);
    await shutdown(1);
  },
);
