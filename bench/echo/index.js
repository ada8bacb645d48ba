// Minimal echo Worker + Durable Object: the platform's ceiling for the gateway's `health` shape.
// Worker: upgrade on `/`, `/ws` or `/t/<tenant>/ws` is forwarded to one DO instance per tenant.
// DO: accepts the socket with the Hibernation API, sends a connect.challenge-like event,
// answers the first `connect` with a small hello-ok-like res, then answers every
// `{type:"req",id,method}` with `{type:"res",id,ok:true,payload:{ok:true,ts}}`.
import { DurableObject } from "cloudflare:workers";

export class EchoDO extends DurableObject {
  async fetch(request) {
    if (request.headers.get("Upgrade") !== "websocket") {
      return new Response("expected websocket", { status: 426 });
    }
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair);
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ connected: false });
    server.send(
      JSON.stringify({
        type: "event",
        event: "connect.challenge",
        payload: { nonce: crypto.randomUUID(), ts: Date.now() },
      }),
    );
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws, message) {
    let frame;
    try {
      frame = JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message));
    } catch {
      ws.send(JSON.stringify({ type: "res", id: null, ok: false, error: { code: "INVALID_REQUEST", message: "bad json" } }));
      return;
    }
    if (frame.method === "connect") {
      ws.serializeAttachment({ connected: true });
      ws.send(
        JSON.stringify({
          type: "res",
          id: frame.id,
          ok: true,
          payload: {
            type: "hello-ok",
            protocol: 3,
            server: { version: "echo", connId: crypto.randomUUID() },
            features: { methods: ["health"], events: [] },
            policy: { maxPayload: 1048576, maxBufferedBytes: 1048576, tickIntervalMs: 30000 },
          },
        }),
      );
      return;
    }
    ws.send(JSON.stringify({ type: "res", id: frame.id, ok: true, payload: { ok: true, ts: Date.now() } }));
  }

  async webSocketClose(ws, code) {
    try {
      ws.close(code === 1005 ? 1000 : code, "bye");
    } catch {}
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ ok: true });
    const m = url.pathname.match(/^\/t\/([^/]+)\/ws$/);
    const tenant = m ? m[1] : url.pathname === "/" || url.pathname === "/ws" ? "default" : null;
    if (!tenant) return new Response("not found", { status: 404 });
    const stub = env.ECHO.get(env.ECHO.idFromName(tenant));
    return stub.fetch(request);
  },
};
