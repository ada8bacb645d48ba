import { describe, expect, it } from "vitest";
import { registry } from "../../src/methods";
import { connected, createTenant, type Frame } from "../support/client";

/** Small deterministic PRNG so a failing run can be replayed from its seed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261125;
const FRAMES = 1200;

function generator(rand: () => number) {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const methods = [...registry.names, "connect", "nope", "", "config", "agents.files"];
  const scalars = [null, true, false, 0, -1, 1e308, "", "x", "main", "SOUL.md", "agents.defaults.thinkingDefault", "high", [], {}];
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth > 2 || r < 0.5) return pick(scalars);
    if (r < 0.75) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, () => [pick(["path", "value", "agentId", "filename", "name", "raw", "patches", "content", "__proto__"]), value(depth + 1)]));
  };
  const validish = (i: number) => {
    const method = pick(methods);
    const params = rand() < 0.2 ? undefined : value(0);
    return rand() < 0.5
      ? { type: "req", id: rand() < 0.9 ? `f${i}` : pick(["", 5, null]), method, params }
      : { ...(rand() < 0.3 ? { jsonrpc: pick(["2.0", "1.0"]) } : {}), id: rand() < 0.9 ? i : pick([null, {}, "s"]), method, params };
  };
  const mutate = (text: string) => {
    const chars = [...text];
    const edits = 1 + Math.floor(rand() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * (chars.length + 1));
      const op = rand();
      if (op < 0.33) chars.splice(at, 1);
      else if (op < 0.66) chars.splice(at, 0, pick(['"', "{", "}", "[", "]", ",", ":", "\\", "\u0000", "é", "😀", "1"]));
      else chars[at] = pick(["x", '"', "}"]);
    }
    return chars.join("");
  };
  return (i: number): string => {
    const r = rand();
    const base = JSON.stringify(validish(i));
    if (r < 0.45) return base;
    if (r < 0.85) return mutate(base);
    if (r < 0.9) return pick(["", " ", "null", "[]", "42", '"str"', "{}", "true"]);
    return Array.from({ length: 1 + Math.floor(rand() * 40) }, () => String.fromCharCode(Math.floor(rand() * 0x3000))).join("");
  };
}

/** A response is well formed in one of the two framings (events are counted separately). */
function wellFormedResponse(f: Frame): boolean {
  if (f.type === "res") {
    if (f.ok === true) return "payload" in f;
    return f.ok === false && typeof f.error?.code === "string" && typeof f.error?.message === "string";
  }
  if ("result" in f) return "id" in f;
  return "id" in f && typeof f.error?.code === "number" && typeof f.error?.message === "string" && !/\bat .+:\d+:\d+/.test(f.error.message);
}

describe("fuzz", () => {
  it(`${FRAMES} random and mutated frames: each answered with a well-formed response, nothing harmed`, async () => {
    const token = await createTenant("fuzzed");
    const bystanderToken = await createTenant("bystander");
    const { client: bystander } = await connected("/t/bystander/ws", { token: bystanderToken });
    await bystander.call("config.set", { path: "agents.defaults.thinkingDefault", value: "medium" });
    const bystanderBefore = await bystander.call("config.get");

    // read + write scopes: every method is reachable, admin writes are refused, so the fuzzer
    // cannot shrink maxPayload and close its own socket by design.
    const { client } = await connected("/t/fuzzed/ws", { token, framing: "v3", scopes: ["operator.read", "operator.write"] });
    const next = generator(prng(SEED));
    let responses = 0;
    const malformed: Frame[] = [];
    client.ws.addEventListener("message", (e) => {
      const f = JSON.parse(e.data as string) as Frame;
      if (f.type === "event") return;
      responses++;
      if (!wellFormedResponse(f)) malformed.push(f);
    });

    for (let i = 0; i < FRAMES; i++) {
      client.sendRaw(next(i));
      if (i % 100 === 99) await waitFor(() => responses >= i + 1, `responses to ${i + 1} frames (seed ${SEED})`);
    }
    await waitFor(() => responses >= FRAMES, `all ${FRAMES} responses (seed ${SEED})`);

    expect(malformed).toEqual([]);
    expect(responses).toBe(FRAMES);
    // The socket still works, with the same identity.
    const status = await client.call("status", {}, "v3");
    expect(status.caller.scopes).toEqual(["operator.read", "operator.write"]);
    // The other tenant is unharmed.
    expect(await bystander.call("config.get")).toEqual(bystanderBefore);
    expect((await bystander.call("health")).ok).toBe(true);
    client.close();
    bystander.close();
  }, 60_000);
});

async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000) {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
