// Dashboards for `npm run bench:stream`: N WebSocket operator connections to one tenant, run in a
// worker thread (its own event loop, so handling their frames never delays the fake provider's
// token timers in the main thread). Dashboard 0 also sends `chat.send`. Every dashboard records
// when each streamed token (the `delta` of an `agent`/`assistant` event) arrived.
//
// Main thread → worker: {cmd:"ping",t0} {cmd:"open",n,url,token,parse} {cmd:"call",method,params}
//   {cmd:"run",runId,sessionKey,tokens,tokenPrefix,timeoutMs} {cmd:"close"}
// Worker → main: {type:"pong"|"opened"|"called"|"run"|"closed"|"error", …}
import { isMainThread, parentPort } from "node:worker_threads";
import { PerformanceObserver, performance } from "node:perf_hooks";
import WebSocket from "ws";
import { openClient } from "./load.mjs";

/** One clock for the whole bench: wall-clock ms with sub-ms resolution (monotonic since thread start). */
export const hrNow = () => performance.timeOrigin + performance.now();

/** Collects this thread's GC pauses (so a stall of the bench itself can be told from one of the gateway). */
export function gcWatch() {
  const pauses = [];
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) pauses.push([e.startTime + performance.timeOrigin, e.duration]); });
  obs.observe({ entryTypes: ["gc"] });
  return {
    /** GC pauses since `from` (hrNow clock): count, total ms, longest ms, and the pauses ≥ 5 ms as [start, duration]. */
    since(from) {
      const xs = pauses.filter(([t]) => t >= from);
      return { count: xs.length, totalMs: xs.reduce((a, [, d]) => a + d, 0), maxMs: xs.reduce((a, [, d]) => Math.max(a, d), 0), long: xs.filter(([, d]) => d >= 5) };
    },
    clear() { pauses.length = 0; },
  };
}

/** One dashboard: an operator socket after the v3 handshake (the same handshake as `npm run bench`). */
async function connectOperator({ url, token, scopes, clientId = "bench" }) {
  const { ws } = await openClient({ url, token, scopes, clientId, clientMode: "webchat", timeoutMs: 15000 });
  return ws;
}

function closeSockets(list) {
  return Promise.all(list.map((ws) => new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    const t = setTimeout(() => { try { ws.terminate(); } catch {} resolve(); }, 2000);
    ws.once("close", () => { clearTimeout(t); resolve(); });
    try { ws.close(1000, "bench done"); } catch { clearTimeout(t); resolve(); }
  })));
}

// ---- worker side ----------------------------------------------------------------------------

if (!isMainThread && parentPort) {
  const port = parentPort;
  /** @type {{ws: WebSocket, idx: number, arr: Float64Array|null, frames: number, bytes: number, finalAt: number, finalState: string|null, dup: number}[]} */
  let dashboards = [];
  let parseMode = "scan";
  let active = null; // the run in progress
  let pendingCall = null; // {id, resolve}
  let callSeq = 0;

  const RES_HEAD = Buffer.from('{"type":"res","id":"');
  const gc = gcWatch();

  const startsWith = (buf, head) => buf.length >= head.length && buf.compare(head, 0, head.length, 0, head.length) === 0;

  /** Token indexes in a delta string like `t17 t18 ` (usually one token per delta). */
  function tokensIn(delta, prefix) {
    const out = [];
    let p = 0;
    while (delta.startsWith(prefix, p)) {
      p += prefix.length;
      let n = 0, digits = 0;
      for (; p < delta.length; p++, digits++) {
        const c = delta.charCodeAt(p);
        if (c < 48 || c > 57) break;
        n = n * 10 + (c - 48);
      }
      if (digits === 0) break;
      out.push(n);
      if (delta[p] === " ") p++;
    }
    return out;
  }

  function recordTokens(d, t, idxs) {
    for (const i of idxs) {
      if (i >= 0 && i < d.arr.length && Number.isNaN(d.arr[i])) d.arr[i] = t;
      else d.dup++;
    }
  }

  function onRunEnd(d, t, state) {
    if (!Number.isNaN(d.finalAt)) return;
    d.finalAt = t;
    d.finalState = state;
    active.ended++;
    if (active.ended === dashboards.length) active.finish();
  }

  /** Cheap path: no JSON.parse of the (growing) event frames; only prefix checks and a scan from the end. */
  function onFrameScan(d, t, buf) {
    const a = active;
    if (startsWith(buf, a.agentHead)) {
      // {"type":"event","event":"agent","payload":{"runId":"…","seq":N,"stream":"assistant",…,"data":{"text":"…","delta":"t17 "}},"seq":M}
      const s = buf.indexOf('"stream":"', a.agentHead.length, "latin1");
      if (s < 0) return;
      if (!startsWith(buf.subarray(s), a.assistantTag)) {
        if (d.idx === 0 && Number.isNaN(a.startAt) && startsWith(buf.subarray(s), a.lifecycleTag)) a.startAt = t;
        return;
      }
      const j = buf.lastIndexOf('"delta":"', buf.length - 1, "latin1");
      if (j < 0) return;
      const k = buf.indexOf('"', j + 9, "latin1");
      recordTokens(d, t, tokensIn(buf.toString("latin1", j + 9, k), a.tokenPrefix));
    } else if (startsWith(buf, a.chatHead)) {
      const s = buf.indexOf('"state":"', a.chatHead.length, "latin1");
      if (s < 0) return;
      const state = buf.toString("latin1", s + 9, buf.indexOf('"', s + 9, "latin1"));
      if (state !== "delta") onRunEnd(d, t, state);
    } else if (d.idx === 0 && startsWith(buf, RES_HEAD)) {
      onRes(t, JSON.parse(buf.toString()));
    }
  }

  /** What a typical dashboard does: JSON.parse every frame. */
  function onFrameJson(d, t, buf) {
    const a = active;
    const m = JSON.parse(buf.toString());
    if (m.type === "event" && m.payload?.runId === a.runId) {
      if (m.event === "agent" && m.payload.stream === "assistant") recordTokens(d, t, tokensIn(m.payload.data?.delta ?? "", a.tokenPrefix));
      else if (m.event === "agent" && m.payload.stream === "lifecycle" && d.idx === 0 && Number.isNaN(a.startAt)) a.startAt = t;
      else if (m.event === "chat" && m.payload.state !== "delta") onRunEnd(d, t, m.payload.state);
    } else if (m.type === "res" && d.idx === 0) onRes(t, m);
  }

  function onRes(t, m) {
    if (active && m.id === active.sendId) {
      active.resAt = t;
      active.res = m.ok ? m.payload : { error: m.error };
      if (!m.ok) active.fail(new Error(`chat.send failed: ${JSON.stringify(m.error)}`));
    } else if (pendingCall && m.id === pendingCall.id) {
      const c = pendingCall;
      pendingCall = null;
      c.resolve(m);
    }
  }

  function attach(d) {
    d.ws.on("message", (data) => {
      const t = hrNow();
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (!active) {
        if (d.idx === 0 && pendingCall && startsWith(buf, RES_HEAD)) onRes(t, JSON.parse(buf.toString()));
        return;
      }
      d.frames++;
      d.bytes += buf.length;
      try {
        (parseMode === "json" ? onFrameJson : onFrameScan)(d, t, buf);
      } catch (e) {
        active.fail(e);
      }
    });
    d.ws.on("close", (code) => {
      d.closed = code;
      if (active) active.fail(new Error(`dashboard ${d.idx} closed (${code}) during the run`));
    });
  }

  async function open({ n, url, token, parse }) {
    parseMode = parse;
    const made = [];
    try {
      // Dashboard 0 drives the runs (config.patch needs admin, chat.send write); the others only read.
      made.push(await connectOperator({ url, token, scopes: ["operator.admin"], clientId: "bench-sender" }));
      for (let i = 1; i < n; i += 8) {
        const k = Math.min(8, n - i);
        made.push(...(await Promise.all(Array.from({ length: k }, () => connectOperator({ url, token, scopes: ["operator.read"] })))));
      }
    } catch (e) {
      await closeSockets(made);
      throw e;
    }
    dashboards = made.map((ws, idx) => ({ ws, idx, arr: null, frames: 0, bytes: 0, finalAt: NaN, finalState: null, dup: 0 }));
    for (const d of dashboards) attach(d);
    return { n: dashboards.length };
  }

  function call({ method, params, timeoutMs = 30000 }) {
    const id = `call-${++callSeq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { pendingCall = null; reject(new Error(`${method}: no response in ${timeoutMs} ms`)); }, timeoutMs);
      pendingCall = { id, resolve: (m) => { clearTimeout(timer); m.ok ? resolve(m.payload) : reject(new Error(`${method} failed: ${JSON.stringify(m.error)}`)); } };
      dashboards[0].ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  function run({ runId, sessionKey, tokens, tokenPrefix, timeoutMs }) {
    return new Promise((resolve, reject) => {
      for (const d of dashboards) {
        d.arr = new Float64Array(tokens).fill(NaN);
        d.frames = 0;
        d.bytes = 0;
        d.finalAt = NaN;
        d.finalState = null;
        d.dup = 0;
      }
      const elu0 = performance.eventLoopUtilization();
      gc.clear();
      const gcFrom = hrNow();
      let timer;
      const a = {
        runId,
        tokenPrefix,
        sendId: `send-${runId}`,
        agentHead: Buffer.from(`{"type":"event","event":"agent","payload":{"runId":${JSON.stringify(runId)},`),
        chatHead: Buffer.from(`{"type":"event","event":"chat","payload":{"runId":${JSON.stringify(runId)},`),
        assistantTag: Buffer.from('"stream":"assistant"'),
        lifecycleTag: Buffer.from('"stream":"lifecycle"'),
        ended: 0,
        sendAt: NaN,
        resAt: NaN,
        startAt: NaN, // the run's first lifecycle event (phase start) at dashboard 0
        res: null,
        finish() {
          clearTimeout(timer);
          active = null;
          const elu = performance.eventLoopUtilization(elu0);
          const arrivals = dashboards.map((d) => d.arr);
          resolve({
            msg: {
              type: "run",
              runId,
              sendAt: a.sendAt,
              resAt: a.resAt,
              startAt: a.startAt,
              res: a.res,
              arrivals,
              dashboards: dashboards.map((d) => ({ frames: d.frames, bytes: d.bytes, finalAt: d.finalAt, finalState: d.finalState, dup: d.dup })),
              elu: elu.utilization, // share of the run this thread was busy (1 = the client was saturated)
              gc: gc.since(gcFrom),
            },
            transfer: arrivals.map((x) => x.buffer),
          });
        },
        fail(err) {
          clearTimeout(timer);
          active = null;
          reject(err);
        },
      };
      timer = setTimeout(() => {
        const missing = dashboards.filter((d) => Number.isNaN(d.finalAt)).length;
        a.fail(new Error(`run ${runId}: ${missing} of ${dashboards.length} dashboards saw no end of the run after ${timeoutMs} ms`));
      }, timeoutMs);
      active = a;
      a.sendAt = hrNow();
      dashboards[0].ws.send(JSON.stringify({ type: "req", id: a.sendId, method: "chat.send", params: { sessionKey, message: "go", idempotencyKey: runId } }));
    });
  }

  port.on("message", async (m) => {
    try {
      if (m.cmd === "ping") return port.postMessage({ type: "pong", t0: m.t0, tw: hrNow() });
      if (m.cmd === "open") return port.postMessage({ type: "opened", ...(await open(m)) });
      if (m.cmd === "call") return port.postMessage({ type: "called", payload: await call(m) });
      if (m.cmd === "run") {
        const { msg, transfer } = await run(m);
        return port.postMessage(msg, transfer);
      }
      if (m.cmd === "close") {
        await closeSockets(dashboards.map((d) => d.ws));
        dashboards = [];
        return port.postMessage({ type: "closed" });
      }
      throw new Error(`unknown command ${m.cmd}`);
    } catch (e) {
      port.postMessage({ type: "error", message: e?.stack ?? String(e) });
    }
  });
}

// ---- main-thread side ----------------------------------------------------------------------

/** Starts the dashboards' worker thread; returns a small RPC wrapper around it. */
export async function startDashboardWorker() {
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(new URL(import.meta.url));
  let waiting = null;
  let dead = null;
  worker.on("message", (m) => {
    const w = waiting;
    waiting = null;
    if (!w) return;
    if (m.type === "error") w.reject(new Error(`dashboards: ${m.message}`));
    else w.resolve(m);
  });
  worker.on("error", (e) => { dead = e; waiting?.reject(e); waiting = null; });
  worker.on("exit", (code) => { dead ??= new Error(`dashboard worker exited (${code})`); waiting?.reject(dead); waiting = null; });
  const request = (msg) => new Promise((resolve, reject) => {
    if (dead) return reject(dead);
    if (waiting) return reject(new Error("dashboard worker busy"));
    waiting = { resolve, reject };
    worker.postMessage(msg);
  });
  return {
    worker,
    request,
    /** Offset of the worker's clock vs. ours (worker − main, ms), NTP-style from the ping with the smallest round trip. */
    async clockOffset(pings = 40) {
      let best = { rtt: Infinity, offset: 0 };
      for (let i = 0; i < pings; i++) {
        const t0 = hrNow();
        const { tw } = await request({ cmd: "ping", t0 });
        const t1 = hrNow();
        if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: tw - (t0 + t1) / 2 };
      }
      return best;
    },
    elu: () => worker.performance.eventLoopUtilization(),
    terminate: () => worker.terminate(),
  };
}
