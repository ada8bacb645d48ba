// Process helpers for the bench: free ports, detached servers in their own process group,
// readiness polling, RSS sampling from /proc, and reliable shutdown.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

const PAGE = 4096;
const started = new Set(); // every Server we started; stopAll() ends them all

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Start `cmd args` detached (own process group), output appended to logFile. */
export function startServer(name, cmd, args, { cwd, env, logFile }) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, "w");
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ["ignore", fd, fd] });
  fs.closeSync(fd);
  const srv = { name, child, pid: child.pid, logFile, exited: false, exitCode: null };
  child.on("exit", (code, sig) => {
    srv.exited = true;
    srv.exitCode = code ?? sig;
  });
  child.on("error", (e) => {
    srv.exited = true;
    srv.exitCode = e.message;
  });
  started.add(srv);
  return srv;
}

export function tailLog(srv, n = 30) {
  try {
    return fs.readFileSync(srv.logFile, "utf8").split("\n").slice(-n).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Poll url until it answers with a 2xx (or until timeout / the server exits). */
export async function waitHttp(srv, url, timeoutMs = 90000) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (srv.exited) throw new Error(`${srv.name} exited (${srv.exitCode}) before it was ready; log ${srv.logFile}:\n${tailLog(srv)}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    await sleep(500);
  }
  throw new Error(`${srv.name} not ready at ${url} after ${timeoutMs} ms (${last}); log ${srv.logFile}:\n${tailLog(srv)}`);
}

/** pid → {ppid, pgrp, comm, rssBytes} for every process visible in /proc. */
function readProcs() {
  const out = new Map();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const f = stat.slice(close + 2).split(" ");
      // f[0]=state f[1]=ppid f[2]=pgrp f[11]=utime f[12]=stime (clock ticks) … f[21]=rss (pages)
      out.set(Number(d), {
        ppid: Number(f[1]),
        pgrp: Number(f[2]),
        comm,
        cpuTicks: Number(f[11]) + Number(f[12]),
        rssBytes: Number(f[21]) * PAGE,
      });
    } catch {}
  }
  return out;
}

/** The server's processes: its process group plus all descendants of its root pid. */
function serverProcs(srv, procs = readProcs()) {
  const mine = new Set();
  for (const [pid, p] of procs) if (p.pgrp === srv.pid) mine.add(pid);
  if (procs.has(srv.pid)) mine.add(srv.pid);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of procs) if (!mine.has(pid) && mine.has(p.ppid)) { mine.add(pid); grew = true; }
  }
  return [...mine].map((pid) => ({ pid, ...procs.get(pid) }));
}

/**
 * Sample RSS of each server (whole group + descendants) every intervalMs.
 * Returns { stop() → { [name]: { peakTotal, peakByComm: {comm: bytes} } } }.
 */
export function sampleMemory(servers, intervalMs = 200) {
  const peaks = Object.fromEntries(servers.map((s) => [s.name, { peakTotal: 0, peakByComm: {} }]));
  const tick = () => {
    const procs = readProcs();
    for (const s of servers) {
      const list = serverProcs(s, procs);
      let total = 0;
      const byComm = {};
      for (const p of list) {
        total += p.rssBytes;
        byComm[p.comm] = (byComm[p.comm] ?? 0) + p.rssBytes;
      }
      const pk = peaks[s.name];
      pk.peakTotal = Math.max(pk.peakTotal, total);
      for (const [c, b] of Object.entries(byComm)) pk.peakByComm[c] = Math.max(pk.peakByComm[c] ?? 0, b);
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    tick,
    stop() {
      clearInterval(timer);
      tick();
      return peaks;
    },
  };
}

/** CPU seconds (user+system) used so far by the server's live processes (USER_HZ = 100). */
export function cpuSeconds(srv) {
  return serverProcs(srv).reduce((a, p) => a + p.cpuTicks, 0) / 100;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the server's group (and any descendant that left it), SIGKILL after graceMs. */
export async function stopServer(srv, graceMs = 5000) {
  if (!started.has(srv)) return;
  started.delete(srv);
  const pids = serverProcs(srv).map((p) => p.pid);
  const signalAll = (sig) => {
    try { process.kill(-srv.pid, sig); } catch {}
    for (const pid of pids) { try { process.kill(pid, sig); } catch {} }
  };
  signalAll("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) await sleep(100);
  if (pids.some(alive)) signalAll("SIGKILL");
}

export async function stopAll() {
  await Promise.all([...started].map((s) => stopServer(s)));
}

/** Synchronous last resort (process 'exit' handler): SIGKILL every group we started. */
export function killAllSync() {
  for (const s of started) {
    try { process.kill(-s.pid, "SIGKILL"); } catch {}
  }
}
