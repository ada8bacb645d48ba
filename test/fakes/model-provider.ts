// Fake model provider at the HTTP boundary: speaks the real Anthropic Messages and OpenAI Chat
// Completions wire formats (SSE and JSON), scripted per test through "scenarios". Erasable-only
// TypeScript with node: imports only, so plain `node` 22 can import or run it directly.
// All timestamps are Date.now() (wall-clock ms), so they compare with timestamps taken elsewhere;
// `startFakeProvider({ now })` swaps in another clock (e.g. sub-ms `performance.timeOrigin + performance.now()`).
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";

export interface Usage { input: number; output: number }
export type StopReason = "end_turn" | "tool_use" | "max_tokens";
export type Step =
  | { text: string; chunkSize?: number }
  | { tokens: number; intervalMs?: number; token?: string }
  | { thinking: string; signature?: string }
  | { toolCall: { id?: string; name: string; input: Record<string, unknown> } }
  | { delayMs: number }
  | { hold: true }
  | { cut: true };
export type Reply =
  | { kind: "error"; status: number; message?: string; errorType?: string; retryAfterSeconds?: number }
  | { kind: "echo"; prefix?: string; usage?: Usage }
  | { kind: "reply"; steps: Step[]; stopReason?: StopReason; usage?: Usage };
export interface Scenario { replies: Reply[] }
export type ApiKind = "anthropic" | "openai";
export interface RecordedRequest { path: string; api: ApiKind; headers: Record<string, string>; body: any; receivedAtMs: number }
export interface ScenarioState {
  id: string;
  requests: RecordedRequest[];
  completed: number;
  aborted: number;
  cut: number;
  open: number;
  waitingAtHold: number;
  /** Per request: when the first text/thinking/tool delta was produced (for JSON replies the body goes out at the end). */
  firstTokenSentAtMs: (number | null)[];
  /** Per request: when each delta of a `tokens` step was produced; empty for other replies. */
  tokenSentAtMs: number[][];
}
export interface FakeProvider {
  url: string; // "http://127.0.0.1:<port>"
  port: number;
  /** Registers a scenario in-process (same as POST /__scenarios); throws on an invalid one. Returns its id. */
  addScenario(s: Scenario): string;
  /** A snapshot of a scenario's recorded state (same data as GET /__scenarios/:id). */
  scenario(id: string): ScenarioState | undefined;
  /** Same as POST /__scenarios/:id/release: frees every reply waiting at a hold, or banks one release. */
  release(id: string): void;
  /** Stops the server and destroys open sockets (in-flight replies count as aborted). */
  close(): Promise<void>;
}

const MAX_SCENARIOS = 2000;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

interface Entry {
  scenario: Scenario;
  state: ScenarioState;
  pendingReleases: number; // releases made while nothing was waiting; the next holds pass at once
  waiters: Set<() => void>;
  now: () => number; // the clock of receivedAtMs / firstTokenSentAtMs / tokenSentAtMs
}

/** Base URL to configure for a provider kind: the SDKs append /messages or /chat/completions. */
export function baseUrlFor(url: string, scenarioId: string): string {
  return `${url}/s/${scenarioId}/v1`;
}

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const isObj = (x: unknown): x is Record<string, any> => typeof x === "object" && x !== null && !Array.isArray(x);
const isNum = (x: unknown, min = 0) => typeof x === "number" && Number.isFinite(x) && x >= min;

// ---------- validation ----------

function validateStep(s: unknown): string | null {
  if (!isObj(s)) return "step must be an object";
  if ("text" in s) return typeof s.text === "string" && (s.chunkSize === undefined || isNum(s.chunkSize, 1)) ? null : "bad text step";
  if ("tokens" in s) return isNum(s.tokens) && (s.intervalMs === undefined || isNum(s.intervalMs)) && (s.token === undefined || typeof s.token === "string") ? null : "bad tokens step";
  if ("thinking" in s) return typeof s.thinking === "string" && (s.signature === undefined || typeof s.signature === "string") ? null : "bad thinking step";
  if ("toolCall" in s) return isObj(s.toolCall) && typeof s.toolCall.name === "string" && isObj(s.toolCall.input) && (s.toolCall.id === undefined || typeof s.toolCall.id === "string") ? null : "bad toolCall step";
  if ("delayMs" in s) return isNum(s.delayMs) ? null : "bad delayMs step";
  if ("hold" in s) return s.hold === true ? null : "hold must be true";
  if ("cut" in s) return s.cut === true ? null : "cut must be true";
  return `unknown step ${JSON.stringify(s)}`;
}

function validateUsage(u: unknown): boolean {
  return u === undefined || (isObj(u) && isNum(u.input) && isNum(u.output));
}

export function validateScenario(x: unknown): string | null {
  if (!isObj(x) || !Array.isArray(x.replies) || x.replies.length === 0) return "scenario needs a non-empty replies array";
  for (const [i, r] of x.replies.entries()) {
    const where = `replies[${i}]`;
    if (!isObj(r)) return `${where} must be an object`;
    if (r.kind === "error") {
      if (!Number.isInteger(r.status) || r.status < 400 || r.status > 599) return `${where}.status must be 400..599`;
      if (r.retryAfterSeconds !== undefined && !isNum(r.retryAfterSeconds)) return `${where}.retryAfterSeconds must be a number`;
    } else if (r.kind === "echo") {
      if (!validateUsage(r.usage)) return `${where}.usage is invalid`;
    } else if (r.kind === "reply") {
      if (!Array.isArray(r.steps)) return `${where}.steps must be an array`;
      if (!validateUsage(r.usage)) return `${where}.usage is invalid`;
      if (r.stopReason !== undefined && !["end_turn", "tool_use", "max_tokens"].includes(r.stopReason)) return `${where}.stopReason is invalid`;
      for (const [j, s] of r.steps.entries()) {
        const err = validateStep(s);
        if (err) return `${where}.steps[${j}]: ${err}`;
      }
    } else return `${where}.kind must be error | echo | reply`;
  }
  return null;
}

// ---------- wire encoders: one interface, four implementations (api x stream/json) ----------

type BlockKind = "text" | "thinking" | "tool";
interface Encoder {
  begin(): void;
  open(kind: BlockKind, tool?: { id: string; name: string }): void;
  delta(kind: BlockKind, piece: string): void;
  signature(sig: string): void;
  close(): void;
  end(stop: StopReason, usage: Usage): void;
}
interface EncoderOpts { res: ServerResponse; model: string; inputTokens: number; hasText: boolean; includeUsage: boolean }

function sseHead(res: ServerResponse, idHeader: string) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", [idHeader]: `req_${hex(12)}` });
  res.flushHeaders(); // the client must see the status before the first (possibly held) frame
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function anthropicStream({ res, model, inputTokens }: EncoderOpts): Encoder {
  let index = -1;
  const send = (data: { type: string } & Record<string, unknown>) => res.write(`event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`);
  return {
    begin() {
      sseHead(res, "request-id");
      const message = { id: `msg_${hex(12)}`, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } };
      send({ type: "message_start", message });
      send({ type: "ping" });
    },
    open(kind, tool) {
      index++;
      const block = kind === "text" ? { type: "text", text: "" } : kind === "thinking" ? { type: "thinking", thinking: "" } : { type: "tool_use", id: tool?.id, name: tool?.name, input: {} };
      send({ type: "content_block_start", index, content_block: block });
    },
    delta(kind, piece) {
      const delta = kind === "text" ? { type: "text_delta", text: piece } : kind === "thinking" ? { type: "thinking_delta", thinking: piece } : { type: "input_json_delta", partial_json: piece };
      send({ type: "content_block_delta", index, delta });
    },
    signature(sig) { send({ type: "content_block_delta", index, delta: { type: "signature_delta", signature: sig } }); },
    close() { send({ type: "content_block_stop", index }); },
    end(stop, usage) {
      send({ type: "message_delta", delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: usage.output } });
      send({ type: "message_stop" });
      res.end();
    },
  };
}

function anthropicJson({ res, model }: EncoderOpts): Encoder {
  const content: Record<string, any>[] = [];
  let cur: Record<string, any> = {};
  return {
    begin() {},
    open(kind, tool) {
      cur = kind === "text" ? { type: "text", text: "" } : kind === "thinking" ? { type: "thinking", thinking: "", signature: "" } : { type: "tool_use", id: tool?.id, name: tool?.name, json: "" };
      content.push(cur);
    },
    delta(kind, piece) { cur[kind === "tool" ? "json" : kind] += piece; },
    signature(sig) { cur.signature = sig; },
    close() {
      if (cur.type !== "tool_use") return;
      cur.input = JSON.parse(cur.json);
      delete cur.json;
    },
    end(stop, usage) {
      sendJson(res, 200, { id: `msg_${hex(12)}`, type: "message", role: "assistant", model, content, stop_reason: stop, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: usage.output } }, { "request-id": `req_${hex(12)}` });
    },
  };
}

const OPENAI_FINISH: Record<StopReason, string> = { end_turn: "stop", tool_use: "tool_calls", max_tokens: "length" };
const openaiUsage = (u: Usage) => ({ prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output });

function openaiStream({ res, model, hasText, includeUsage }: EncoderOpts): Encoder {
  const base = { id: `chatcmpl-${hex(12)}`, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model };
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => send({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  let tool = -1;
  return {
    begin() {
      sseHead(res, "x-request-id");
      // Like the real service: content "" when the answer has text, null for a tool-only answer.
      chunk({ role: "assistant", content: hasText ? "" : null, refusal: null });
    },
    open(kind, t) {
      if (kind !== "tool") return;
      tool++;
      chunk({ tool_calls: [{ index: tool, id: t?.id, type: "function", function: { name: t?.name, arguments: "" } }] });
    },
    delta(kind, piece) {
      if (kind === "text") chunk({ content: piece });
      else if (kind === "thinking") chunk({ reasoning_content: piece });
      else chunk({ tool_calls: [{ index: tool, function: { arguments: piece } }] });
    },
    signature() {},
    close() {},
    end(stop, usage) {
      chunk({}, OPENAI_FINISH[stop]);
      if (includeUsage) send({ ...base, choices: [], usage: openaiUsage(usage) });
      res.end("data: [DONE]\n\n");
    },
  };
}

function openaiJson({ res, model }: EncoderOpts): Encoder {
  let content: string | null = null;
  let reasoning: string | null = null;
  const toolCalls: { id: string; type: "function"; function: { name: string; arguments: string } }[] = [];
  return {
    begin() {},
    open(kind, t) { if (kind === "tool") toolCalls.push({ id: t?.id ?? "", type: "function", function: { name: t?.name ?? "", arguments: "" } }); },
    delta(kind, piece) {
      if (kind === "text") content = (content ?? "") + piece;
      else if (kind === "thinking") reasoning = (reasoning ?? "") + piece;
      else { const last = toolCalls[toolCalls.length - 1]; if (last) last.function.arguments += piece; }
    },
    signature() {},
    close() {},
    end(stop, usage) {
      const message = { role: "assistant", content, refusal: null, ...(reasoning !== null && { reasoning_content: reasoning }), ...(toolCalls.length > 0 && { tool_calls: toolCalls }) };
      const body = { id: `chatcmpl-${hex(12)}`, object: "chat.completion", created: Math.floor(Date.now() / 1000), model, choices: [{ index: 0, message, logprobs: null, finish_reason: OPENAI_FINISH[stop] }], usage: openaiUsage(usage) };
      sendJson(res, 200, body, { "x-request-id": `req_${hex(12)}` });
    },
  };
}

// ---------- errors ----------

const ANTHROPIC_ERROR_TYPES: Record<number, string> = { 400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error", 429: "rate_limit_error", 529: "overloaded_error" };

function sendProviderError(res: ServerResponse, api: ApiKind | null, status: number, message: string, errorType?: string, retryAfterSeconds?: number) {
  const type = errorType ?? ANTHROPIC_ERROR_TYPES[status] ?? "api_error";
  const headers: Record<string, string> = retryAfterSeconds !== undefined ? { "retry-after": String(retryAfterSeconds) } : {};
  if (api === "anthropic") sendJson(res, status, { type: "error", error: { type, message } }, { ...headers, "request-id": `req_${hex(12)}` });
  else if (api === "openai") sendJson(res, status, { error: { message, type, code: null, param: null } }, { ...headers, "x-request-id": `req_${hex(12)}` });
  else sendJson(res, status, { error: message }, headers);
}

// ---------- running a reply ----------

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
    const timer = setTimeout(() => { signal.removeEventListener("abort", onAbort); resolve(); }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function waitAtHold(entry: Entry, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (entry.pendingReleases > 0) {
    entry.pendingReleases--;
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const cleanup = () => { entry.waiters.delete(release); entry.state.waitingAtHold--; signal.removeEventListener("abort", onAbort); };
    const release = () => { cleanup(); resolve(); };
    const onAbort = () => { cleanup(); reject(signal.reason); };
    entry.waiters.add(release);
    entry.state.waitingAtHold++;
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function releaseEntry(entry: Entry) {
  if (entry.waiters.size === 0) entry.pendingReleases++;
  for (const release of [...entry.waiters]) release();
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.filter((p) => isObj(p) && p.type === "text" && typeof p.text === "string").map((p) => p.text).join("");
}

function lastUserText(body: any): string {
  const messages: unknown[] = Array.isArray(body?.messages) ? body.messages : [];
  const last = messages.filter((m) => isObj(m) && m.role === "user").pop() as Record<string, unknown> | undefined;
  return last ? textOf(last.content) : "";
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Splits tool-call JSON into 2+ pieces, as the real services stream arguments in fragments. */
function jsonPieces(json: string): string[] {
  return chunks(json, Math.max(1, Math.ceil(json.length / 3)));
}

/**
 * Destroys the socket mid-reply (no final event, no chunked terminator) once what was already
 * written has reached the kernel: the client must see the partial output, then a broken stream.
 */
function cutSocket(res: ServerResponse): Promise<void> {
  const socket = res.socket;
  if (!socket || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.write("", () => {
      socket.destroy();
      resolve();
    });
  });
}

type Outcome = "completed" | "aborted" | "cut";

/** What one step needs while it runs: the encoder, the abort signal, and where to record times. */
interface StepCtx { entry: Entry; idx: number; api: ApiKind; enc: Encoder; signal: AbortSignal; emit(kind: BlockKind, piece: string): void }

/** Runs one step; resolves false when the step was a `cut` (the caller ends the reply there). */
async function runStep(step: Step, ctx: StepCtx): Promise<boolean> {
  const { enc, emit, signal } = ctx;
  if ("text" in step) {
    enc.open("text");
    for (const piece of chunks(step.text, step.chunkSize ?? 8)) emit("text", piece);
    enc.close();
  } else if ("tokens" in step) {
    enc.open("text");
    for (let i = 0; i < step.tokens; i++) {
      if (i > 0 && step.intervalMs) await sleep(step.intervalMs, signal);
      emit("text", `${step.token ?? "tok"}${i} `);
      ctx.entry.state.tokenSentAtMs[ctx.idx]?.push(ctx.entry.now());
    }
    enc.close();
  } else if ("thinking" in step) {
    enc.open("thinking");
    for (const piece of chunks(step.thinking, 8)) emit("thinking", piece);
    enc.signature(step.signature ?? `sig_${hex(16)}`);
    enc.close();
  } else if ("toolCall" in step) {
    const id = step.toolCall.id ?? (ctx.api === "anthropic" ? `toolu_${hex(12)}` : `call_${hex(12)}`);
    enc.open("tool", { id, name: step.toolCall.name });
    for (const piece of jsonPieces(JSON.stringify(step.toolCall.input))) emit("tool", piece);
    enc.close();
  } else if ("delayMs" in step) await sleep(step.delayMs, signal);
  else if ("hold" in step) await waitAtHold(ctx.entry, signal);
  else if ("cut" in step) return false;
  return true;
}

function makeEncoder(api: ApiKind, body: any, opts: EncoderOpts): Encoder {
  if (api === "anthropic") return body?.stream === true ? anthropicStream(opts) : anthropicJson(opts);
  return body?.stream === true ? openaiStream(opts) : openaiJson(opts);
}

async function serveReply(entry: Entry, idx: number, api: ApiKind, body: any, reply: Reply, res: ServerResponse, active: Set<AbortController>) {
  const st = entry.state;
  const ac = new AbortController();
  active.add(ac);
  let outcome: Outcome | null = null;
  const finish = (o: Outcome) => {
    if (outcome) return;
    outcome = o;
    st.open--;
    st[o]++;
    active.delete(ac);
  };
  st.open++;
  // `close` before we finished means the client went away: stop timers and holds.
  res.on("close", () => { if (!outcome) { finish("aborted"); ac.abort(new Error("client went away")); } });
  res.on("error", () => {}); // writes racing a vanished socket must not crash the server

  if (reply.kind === "error") {
    sendProviderError(res, api, reply.status, reply.message ?? `fake ${reply.status} error`, reply.errorType, reply.retryAfterSeconds);
    return finish("completed");
  }
  const steps: Step[] = reply.kind === "echo" ? [{ text: `${reply.prefix ?? "echo: "}${lastUserText(body)}`, chunkSize: 4 }] : reply.steps;
  const stop: StopReason = (reply.kind === "reply" && reply.stopReason) || (steps.some((s) => "toolCall" in s) ? "tool_use" : "end_turn");
  const inputTokens = reply.usage?.input ?? 10 + Math.round(JSON.stringify(body).length / 100);
  const hasText = steps.some((s) => "text" in s || "tokens" in s);
  const enc = makeEncoder(api, body, { res, model: String(body?.model ?? "fake-model"), inputTokens, hasText, includeUsage: body?.stream_options?.include_usage === true });
  let outputDeltas = 0;
  const emit = (kind: BlockKind, piece: string) => {
    enc.delta(kind, piece);
    st.firstTokenSentAtMs[idx] ??= entry.now();
    if (kind === "text") outputDeltas++;
  };

  try {
    enc.begin();
    for (const step of steps) {
      if (ac.signal.aborted) return;
      if (!(await runStep(step, { entry, idx, api, enc, signal: ac.signal, emit }))) {
        finish("cut");
        return await cutSocket(res);
      }
    }
    enc.end(stop, { input: inputTokens, output: reply.usage?.output ?? outputDeltas });
    finish("completed");
  } catch (err) {
    if (!ac.signal.aborted) throw err; // aborted: timers/holds rejected because the client left
  }
}

// ---------- HTTP plumbing ----------

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY_BYTES) return reject(new Error("body too large"));
      parts.push(b);
    });
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): { ok: true; value: any } | { ok: false } {
  try { return { ok: true, value: JSON.parse(text) }; } catch { return { ok: false }; }
}

function guessApi(path: string): ApiKind | null {
  if (/\/messages\b/.test(path)) return "anthropic";
  if (/\/(chat|completions|responses|embeddings|models)\b/.test(path)) return "openai";
  return null;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

/** `now`: the clock for the recorded timestamps (default Date.now). */
export async function startFakeProvider(opts: { port?: number; host?: string; now?: () => number } = {}): Promise<FakeProvider> {
  const host = opts.host ?? "127.0.0.1";
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const sockets = new Set<Socket>();
  const active = new Set<AbortController>();
  let seq = 0;
  let url = "";

  const addScenario = (s: Scenario): string => {
    const err = validateScenario(s);
    if (err) throw new Error(`invalid scenario: ${err}`);
    const id = `sc${++seq}_${hex(4)}`;
    const state: ScenarioState = { id, requests: [], completed: 0, aborted: 0, cut: 0, open: 0, waitingAtHold: 0, firstTokenSentAtMs: [], tokenSentAtMs: [] };
    entries.set(id, { scenario: structuredClone(s), state, pendingReleases: 0, waiters: new Set(), now });
    // Bounded memory: Map keeps insertion order, so the first key is the oldest scenario.
    while (entries.size > MAX_SCENARIOS) entries.delete(entries.keys().next().value as string);
    return id;
  };

  async function handleProvider(req: IncomingMessage, res: ServerResponse, id: string, api: ApiKind, path: string) {
    const entry = entries.get(id);
    const raw = await readBody(req);
    if (!entry) return sendProviderError(res, api, 404, `unknown scenario ${id}`, "not_found_error");
    const parsed = parseJson(raw);
    if (!parsed.ok || !isObj(parsed.value)) return sendProviderError(res, api, 400, "request body is not a JSON object", "invalid_request_error");
    const st = entry.state;
    const idx = st.requests.length;
    st.requests.push({ path, api, headers: flatHeaders(req), body: parsed.value, receivedAtMs: entry.now() });
    st.firstTokenSentAtMs.push(null);
    st.tokenSentAtMs.push([]);
    const replies = entry.scenario.replies;
    const reply = replies[Math.min(idx, replies.length - 1)] as Reply;
    await serveReply(entry, idx, api, parsed.value, reply, res, active);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const method = req.method ?? "GET";
    let m: RegExpMatchArray | null;
    if (path === "/__scenarios" && method === "POST") {
      const parsed = parseJson(await readBody(req));
      const err = parsed.ok ? validateScenario(parsed.value) : "body is not JSON";
      if (err || !parsed.ok) return sendJson(res, 400, { error: err });
      const id = addScenario(parsed.value);
      return sendJson(res, 201, { id, baseUrl: baseUrlFor(url, id) });
    }
    if ((m = path.match(/^\/__scenarios\/([^/]+)$/)) && method === "GET") {
      const entry = entries.get(m[1] as string);
      return entry ? sendJson(res, 200, entry.state) : sendJson(res, 404, { error: "unknown scenario" });
    }
    if ((m = path.match(/^\/__scenarios\/([^/]+)\/release$/)) && method === "POST") {
      const entry = entries.get(m[1] as string);
      if (!entry) return sendJson(res, 404, { error: "unknown scenario" });
      releaseEntry(entry);
      return sendJson(res, 200, { ok: true });
    }
    if ((m = path.match(/^\/s\/([^/]+)\/v1\/(messages|chat\/completions)$/)) && method === "POST") {
      return handleProvider(req, res, m[1] as string, m[2] === "messages" ? "anthropic" : "openai", path);
    }
    const api = guessApi(path);
    sendProviderError(res, api, 404, `not found: ${method} ${path}`, api ? "not_found_error" : undefined);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String((err as Error)?.message ?? err) });
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    socket.setNoDelay(true); // each SSE frame goes out immediately, no Nagle batching
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("fake provider: no TCP address");
  url = `http://${host.includes(":") ? `[${host}]` : host}:${addr.port}`;

  return {
    url,
    port: addr.port,
    addScenario,
    scenario: (id) => {
      const entry = entries.get(id);
      return entry ? structuredClone(entry.state) : undefined;
    },
    release: (id) => {
      const entry = entries.get(id);
      if (entry) releaseEntry(entry);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ac of active) ac.abort(new Error("fake provider closed"));
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------- standalone: `node test/fakes/model-provider.ts --port 0` ----------

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const fake = await startFakeProvider({ port: Number(argValue("--port") ?? 0), host: argValue("--host") });
  process.stdout.write(`FAKE_PROVIDER_URL=${fake.url}\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
