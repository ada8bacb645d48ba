// Load generator: N WebSocket connections, each doing the v3/v4 handshake and then keeping a
// window of K pipelined `{type:"req",id,method}` requests in flight for a fixed duration.
// Runs in the bench process itself (shares the machine's CPU with the servers under test).
import WebSocket from "ws";
import { performance } from "node:perf_hooks";

const RES_PREFIX = '{"type":"res","id":"';

/** Open one socket and complete the handshake; resolves with { ws, hello }. */
export function openClient({ url, token, protocol = 3, clientId = "bench", clientMode = "backend", scopes = ["operator.read"], timeoutMs = 10000 }) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    let done = false;
    const timer = setTimeout(() => fail(new Error(`handshake timeout after ${timeoutMs} ms (${url})`)), timeoutMs);
    function fail(err) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { ws.terminate(); } catch {}
      reject(err);
    }
    ws.on("error", (e) => fail(new Error(`${url}: ${e.message}`)));
    ws.on("close", (code, reason) => fail(new Error(`${url}: closed ${code} ${reason} during handshake`)));
    ws.on("message", function onMessage(data) {
      let m;
      try { m = JSON.parse(data.toString()); } catch { return fail(new Error("non-JSON frame during handshake")); }
      if (m.type === "event" && m.event === "connect.challenge") {
        ws.send(JSON.stringify({
          type: "req",
          id: "connect-1",
          method: "connect",
          params: {
            minProtocol: protocol,
            maxProtocol: protocol,
            client: { id: clientId, version: "0", platform: "node", mode: clientMode },
            role: "operator",
            scopes,
            auth: { token },
          },
        }));
        return;
      }
      if (m.type === "res" && m.id === "connect-1") {
        if (!m.ok) return fail(Object.assign(new Error(`connect refused: ${JSON.stringify(m.error)}`), { frameError: m.error }));
        done = true;
        clearTimeout(timer);
        ws.removeAllListeners("message");
        ws.removeAllListeners("close");
        ws.removeAllListeners("error");
        ws.on("error", () => {});
        resolve({ ws, hello: m.payload });
      }
      // other events before hello-ok are ignored
    });
  });
}

/** Open n clients, `batch` handshakes at a time. */
export async function openClients(n, opts, batch = 8) {
  const out = [];
  try {
    for (let i = 0; i < n; i += batch) {
      const k = Math.min(batch, n - i);
      out.push(...(await Promise.all(Array.from({ length: k }, () => openClient(opts)))));
    }
  } catch (e) {
    closeClients(out);
    throw e;
  }
  return out;
}

export function closeClients(clients) {
  return Promise.all(
    clients.map(
      ({ ws }) =>
        new Promise((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          const t = setTimeout(() => { try { ws.terminate(); } catch {} resolve(); }, 2000);
          ws.once("close", () => { clearTimeout(t); resolve(); });
          try { ws.close(1000, "bench done"); } catch { clearTimeout(t); resolve(); }
        }),
    ),
  );
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/**
 * Drive pipelined requests over already-connected clients.
 * Phases: warm-up (not recorded) → measure (latency + count of responses that arrive in it)
 * → drain (no new requests; wait for the in-flight ones).
 */
export function runLoad(clients, { method = "health", window = 4, warmupMs = 1000, durationMs = 4000, drainTimeoutMs = 5000 } = {}) {
  return new Promise((resolve) => {
    let phase = "warmup";
    let lat = new Float64Array(1 << 16);
    let nLat = 0;
    let errors = 0;
    let errorSample;
    let unexpected = 0;
    let closed = 0;
    let inflightTotal = 0;
    let measureStart = 0;
    let measureEnd = 0;
    let drainTimer = null;
    let finished = false;

    const record = (ms) => {
      if (nLat === lat.length) {
        const bigger = new Float64Array(lat.length * 2);
        bigger.set(lat);
        lat = bigger;
      }
      lat[nLat++] = ms;
    };

    const states = clients.map(({ ws }, idx) => {
      const st = { ws, seq: 0, sent: new Map(), prefix: `b${idx}-` };
      const sendOne = () => {
        const id = st.prefix + st.seq++;
        st.sent.set(id, performance.now());
        inflightTotal++;
        ws.send(`{"type":"req","id":"${id}","method":"${method}"}`);
      };
      st.sendOne = sendOne;
      ws.on("message", (data) => {
        const now = performance.now();
        // Fast path: decode only the head of the frame to find the id (payloads can be large).
        const head = Buffer.isBuffer(data) ? data.toString("latin1", 0, 96) : String(data).slice(0, 96);
        let id, ok;
        if (head.startsWith(RES_PREFIX)) {
          const end = head.indexOf('"', RES_PREFIX.length);
          id = head.slice(RES_PREFIX.length, end);
          ok = head.startsWith(',"ok":true', end + 1);
        } else {
          let m;
          try { m = JSON.parse(data.toString()); } catch { unexpected++; return; }
          if (m.type !== "res") return; // events (tick, health, presence…) are ignored
          id = m.id;
          ok = m.ok === true;
        }
        const t0 = st.sent.get(id);
        if (t0 === undefined) { unexpected++; return; }
        st.sent.delete(id);
        inflightTotal--;
        if (!ok) {
          errors++;
          if (errorSample === undefined) {
            try { errorSample = JSON.stringify(JSON.parse(data.toString()).error).slice(0, 300); } catch { errorSample = head; }
          }
        }
        if (phase === "measure" && ok) record(now - t0);
        if (phase === "drain") {
          if (inflightTotal === 0) finish();
          return;
        }
        sendOne();
      });
      ws.on("close", () => {
        closed++;
        inflightTotal -= st.sent.size;
        st.sent.clear();
        if (phase === "drain" && inflightTotal === 0) finish();
      });
      return st;
    });

    function finish() {
      if (finished) return;
      finished = true;
      if (drainTimer) clearTimeout(drainTimer);
      for (const st of states) st.ws.removeAllListeners("message");
      const sorted = lat.slice(0, nLat).sort();
      const seconds = (measureEnd - measureStart) / 1000;
      resolve({
        connections: clients.length,
        window,
        seconds,
        completed: nLat,
        rps: nLat / seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        errors,
        ...(errorSample ? { errorSample } : {}),
        unexpected,
        closedDuringRun: closed,
        stuckInFlight: inflightTotal,
      });
    }

    for (const st of states) for (let i = 0; i < window; i++) st.sendOne();
    setTimeout(() => {
      phase = "measure";
      measureStart = performance.now();
      setTimeout(() => {
        phase = "drain";
        measureEnd = performance.now();
        if (inflightTotal === 0) return finish();
        drainTimer = setTimeout(finish, drainTimeoutMs);
      }, durationMs);
    }, warmupMs);
  });
}
