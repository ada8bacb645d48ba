// Proves the fake model provider against the real AI SDK clients: if @ai-sdk/anthropic and
// @ai-sdk/openai (chat completions) parse it like the real services, gateway tests can trust it.
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { APICallError, generateText, stepCountIs, streamText, tool } from "ai";
import type { LanguageModel } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { baseUrlFor, startFakeProvider, type FakeProvider, type Scenario } from "../fakes/model-provider.ts";

let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(async () => {
  await fake?.close();
});

interface Flavor {
  name: "anthropic" | "openai";
  model(scenarioId: string): LanguageModel;
  /** The recorded header that carries the API key, and its expected value. */
  keyHeader: [string, string];
}

const flavors: Flavor[] = [
  {
    name: "anthropic",
    model: (id) => createAnthropic({ baseURL: baseUrlFor(fake.url, id), apiKey: "sk-ant-fake" })("claude-haiku-4-5"),
    keyHeader: ["x-api-key", "sk-ant-fake"],
  },
  {
    name: "openai",
    model: (id) => createOpenAI({ baseURL: baseUrlFor(fake.url, id), apiKey: "sk-oai-fake" }).chat("gpt-fake-1"),
    keyHeader: ["authorization", "Bearer sk-oai-fake"],
  },
];

type Part = { type: string; [k: string]: any };

/** Drains a fullStream; a thrown error is recorded as a `thrown` part so tests can assert on it. */
async function collect(stream: AsyncIterable<unknown>): Promise<Part[]> {
  const parts: Part[] = [];
  try {
    for await (const p of stream) parts.push(p as Part);
  } catch (error) {
    parts.push({ type: "thrown", error });
  }
  return parts;
}

const texts = (parts: Part[]) => parts.filter((p) => p.type === "text-delta").map((p) => p.text as string);
const quiet = { maxRetries: 0, onError: () => {} };

async function postJson(url: string, body: unknown) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any, headers: res.headers };
}

describe.each(flavors)("$name wire format through the real AI SDK", (flavor) => {
  const scenario = (s: Scenario) => fake.addScenario(s);

  it("streams text deltas, usage and finish reason; records the request", async () => {
    const id = scenario({ replies: [{ kind: "reply", steps: [{ text: "Hello from the fake provider", chunkSize: 5 }], usage: { input: 42, output: 7 } }] });
    const result = streamText({ model: flavor.model(id), instructions: "be brief", prompt: "hi there", ...quiet });
    const parts = await collect(result.fullStream);

    expect(texts(parts)).toEqual(["Hello", " from", " the ", "fake ", "provi", "der"]);
    const finish = parts.find((p) => p.type === "finish");
    expect(finish).toMatchObject({ finishReason: "stop", totalUsage: { inputTokens: 42, outputTokens: 7 } });
    expect(parts.some((p) => p.type === "error")).toBe(false);

    const st = fake.scenario(id)!;
    expect(st).toMatchObject({ completed: 1, aborted: 0, cut: 0, open: 0, waitingAtHold: 0 });
    expect(st.requests).toHaveLength(1);
    const req = st.requests[0]!;
    expect(req.api).toBe(flavor.name);
    expect(req.headers[flavor.keyHeader[0]]).toBe(flavor.keyHeader[1]);
    expect(req.body.stream).toBe(true);
    expect(JSON.stringify(req.body)).toContain("hi there");
    expect(st.firstTokenSentAtMs[0]).toBeGreaterThanOrEqual(req.receivedAtMs);
  });

  it("answers non-streaming requests with a JSON body (generateText)", async () => {
    const id = scenario({ replies: [{ kind: "reply", steps: [{ text: "plain answer" }], stopReason: "max_tokens" }] });
    const result = await generateText({ model: flavor.model(id), prompt: "q", maxRetries: 0 });
    expect(result.text).toBe("plain answer");
    expect(result.finishReason).toBe("length");
    // Default usage: output = text deltas sent (2 chunks of 8), input derived from the body size.
    expect(result.usage.outputTokens).toBe(2);
    expect(result.usage.inputTokens).toBeGreaterThanOrEqual(10);
    expect(fake.scenario(id)!.requests[0]!.body.stream).not.toBe(true);
  });

  it("echoes the last user message in 4-char chunks", async () => {
    const id = scenario({ replies: [{ kind: "echo", usage: { input: 3, output: 4 } }] });
    const result = streamText({ model: flavor.model(id), messages: [{ role: "user", content: "first" }, { role: "assistant", content: "ok" }, { role: "user", content: [{ type: "text", text: "ping " }, { type: "text", text: "pong" }] }], ...quiet });
    const parts = await collect(result.fullStream);
    expect(texts(parts).join("")).toBe("echo: ping pong");
    expect(texts(parts).every((t) => t.length <= 4)).toBe(true);
    expect(await result.totalUsage).toMatchObject({ inputTokens: 3, outputTokens: 4 });
  });

  it("runs a multi-step tool loop with parsed tool inputs (stream and generate)", async () => {
    const replies: Scenario["replies"] = [
      { kind: "reply", steps: [{ text: "Checking." }, { toolCall: { name: "weather", input: { city: "Paris", days: 2 } } }] },
      { kind: "reply", steps: [{ text: "Sunny in Paris." }] },
    ];
    const calls: unknown[] = [];
    const tools = {
      weather: tool({
        description: "forecast",
        inputSchema: z.object({ city: z.string(), days: z.number() }),
        execute: async (input: { city: string; days: number }) => {
          calls.push(input);
          return { forecast: "sunny", ...input };
        },
      }),
    };

    const id = scenario({ replies });
    const result = streamText({ model: flavor.model(id), prompt: "weather?", tools, stopWhen: stepCountIs(3), ...quiet });
    const parts = await collect(result.fullStream);
    const call = parts.find((p) => p.type === "tool-call");
    expect(call).toMatchObject({ toolName: "weather", input: { city: "Paris", days: 2 } });
    expect(call!.toolCallId).toMatch(flavor.name === "anthropic" ? /^toolu_/ : /^call_/);
    expect(parts.find((p) => p.type === "tool-result")).toMatchObject({ toolName: "weather", output: { forecast: "sunny", city: "Paris" } });
    expect(parts.filter((p) => p.type === "finish-step").map((p) => p.finishReason)).toEqual(["tool-calls", "stop"]);
    expect(texts(parts).join("")).toBe("Checking.Sunny in Paris.");
    expect(parts.find((p) => p.type === "finish")?.totalUsage.outputTokens).toBe(2 + 2);

    const st = fake.scenario(id)!;
    expect(st.requests).toHaveLength(2);
    expect(st.completed).toBe(2);
    // The second request carries the tool result back to the model.
    expect(JSON.stringify(st.requests[1]!.body.messages)).toContain(call!.toolCallId);
    expect(JSON.stringify(st.requests[1]!.body.messages)).toContain("sunny");

    const id2 = scenario({ replies });
    const gen = await generateText({ model: flavor.model(id2), prompt: "weather?", tools, stopWhen: stepCountIs(3), maxRetries: 0 });
    expect(gen.steps).toHaveLength(2);
    expect(gen.steps[0]!.toolCalls[0]).toMatchObject({ toolName: "weather", input: { city: "Paris", days: 2 } });
    expect(gen.text).toBe("Sunny in Paris.");
    expect(calls).toHaveLength(2);
  });

  it("surfaces 429 and 500 as APICallError with the status", async () => {
    const id = scenario({ replies: [{ kind: "error", status: 429, message: "slow down", retryAfterSeconds: 7 }] });
    const err = await generateText({ model: flavor.model(id), prompt: "x", maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(err)).toBe(true);
    expect(err).toMatchObject({ statusCode: 429, message: "slow down", isRetryable: true });
    expect((err as APICallError).responseHeaders?.["retry-after"]).toBe("7");

    const id500 = scenario({ replies: [{ kind: "error", status: 500 }] });
    const parts = await collect(streamText({ model: flavor.model(id500), prompt: "x", ...quiet }).fullStream);
    const error = parts.find((p) => p.type === "error" || p.type === "thrown")?.error;
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 500 });
    expect(fake.scenario(id500)).toMatchObject({ completed: 1, open: 0 });
  });

  it("surfaces a cut stream as an error after the text that was sent", async () => {
    const id = scenario({ replies: [{ kind: "reply", steps: [{ text: "partial " }, { cut: true }, { text: "never" }] }] });
    const parts = await collect(streamText({ model: flavor.model(id), prompt: "x", ...quiet }).fullStream);
    expect(texts(parts).join("")).toBe("partial ");
    expect(parts.some((p) => p.type === "error" || p.type === "thrown")).toBe(true);
    expect(parts.some((p) => p.type === "finish" && p.finishReason === "stop")).toBe(false);
    expect(fake.scenario(id)).toMatchObject({ cut: 1, completed: 0, aborted: 0, open: 0 });

    const idJson = scenario({ replies: [{ kind: "reply", steps: [{ text: "partial" }, { cut: true }] }] });
    await expect(generateText({ model: flavor.model(idJson), prompt: "x", maxRetries: 0 })).rejects.toThrow();
    expect(fake.scenario(idJson)).toMatchObject({ cut: 1 });
  });

  it("holds a stream open until released over HTTP", async () => {
    const id = scenario({ replies: [{ kind: "reply", steps: [{ text: "before " }, { hold: true }, { text: "after" }] }] });
    const result = streamText({ model: flavor.model(id), prompt: "x", ...quiet });
    const seen: string[] = [];
    let released = false;
    for await (const p of result.fullStream) {
      if (p.type !== "text-delta") continue;
      seen.push(p.text);
      if (!released) {
        released = true;
        expect(p.text).toBe("before ");
        await expect.poll(() => fake.scenario(id)!.waitingAtHold).toBe(1);
        await new Promise((r) => setTimeout(r, 50));
        expect(seen).toEqual(["before "]); // nothing passes the hold on its own
        expect(await postJson(`${fake.url}/__scenarios/${id}/release`, {})).toMatchObject({ status: 200, json: { ok: true } });
      }
    }
    expect(seen.join("")).toBe("before after");
    expect(fake.scenario(id)).toMatchObject({ completed: 1, waitingAtHold: 0, open: 0 });
  });

  it("counts a client abort and stops sending", async () => {
    const id = scenario({ replies: [{ kind: "reply", steps: [{ tokens: 100, intervalMs: 20 }] }] });
    const ac = new AbortController();
    const result = streamText({ model: flavor.model(id), prompt: "x", abortSignal: ac.signal, ...quiet });
    const parts: Part[] = [];
    try {
      for await (const p of result.fullStream) {
        parts.push(p);
        if (texts(parts).length === 3) ac.abort();
      }
    } catch (error) {
      parts.push({ type: "thrown", error });
    }
    expect(texts(parts).slice(0, 3)).toEqual(["tok0 ", "tok1 ", "tok2 "]);
    expect(parts.some((p) => p.type === "abort" || p.type === "thrown")).toBe(true);
    await expect.poll(() => fake.scenario(id)).toMatchObject({ aborted: 1, open: 0, completed: 0 });
    const sent = fake.scenario(id)!.tokenSentAtMs[0]!.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.scenario(id)!.tokenSentAtMs[0]!.length).toBe(sent); // timers were cleared
    expect(sent).toBeLessThan(10);
  });
});

describe("fake provider specifics", () => {
  const anthropicModel = flavors[0]!.model;

  it("streams Anthropic thinking as reasoning (stream and non-stream)", async () => {
    const replies: Scenario["replies"] = [{ kind: "reply", steps: [{ thinking: "Let me think about it.", signature: "sig-1" }, { text: "Answer." }] }];
    const id = fake.addScenario({ replies });
    const parts = await collect(streamText({ model: anthropicModel(id), prompt: "x", ...quiet }).fullStream);
    expect(parts.filter((p) => p.type === "reasoning-delta").map((p) => p.text).join("")).toBe("Let me think about it.");
    // The SDK surfaces signature_delta as an empty reasoning delta carrying the signature.
    expect(parts.find((p) => p.type === "reasoning-delta" && p.providerMetadata?.anthropic?.signature)?.providerMetadata.anthropic.signature).toBe("sig-1");
    expect(texts(parts).join("")).toBe("Answer.");

    const gen = await generateText({ model: anthropicModel(fake.addScenario({ replies })), prompt: "x", maxRetries: 0 });
    expect(gen.reasoningText).toBe("Let me think about it.");
    expect(gen.reasoning[0]?.providerMetadata?.anthropic?.signature).toBe("sig-1");
    expect(gen.text).toBe("Answer.");
  });

  it("sends OpenAI reasoning as reasoning_content and usage only when asked", async () => {
    const id = fake.addScenario({ replies: [{ kind: "reply", steps: [{ thinking: "hmm" }, { text: "ok" }] }] });
    const base = baseUrlFor(fake.url, id);
    const streamed = await fetch(`${base}/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", stream: true, messages: [] }) });
    expect(streamed.headers.get("content-type")).toBe("text/event-stream");
    const frames = (await streamed.text()).split("\n\n").filter(Boolean);
    expect(frames.at(-1)).toBe("data: [DONE]");
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice("data: ".length)));
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(chunks.some((c) => c.choices[0]?.delta?.reasoning_content === "hmm")).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");

    const plain = await postJson(`${base}/chat/completions`, { model: "m", messages: [] });
    expect(plain.json.choices[0].message).toMatchObject({ role: "assistant", content: "ok", reasoning_content: "hmm" });
    expect(plain.json.usage).toMatchObject({ completion_tokens: 1, total_tokens: plain.json.usage.prompt_tokens + 1 });
  });

  it("records token send times spaced by intervalMs", async () => {
    const id = fake.addScenario({ replies: [{ kind: "reply", steps: [{ tokens: 5, intervalMs: 30, token: "w" }] }] });
    const result = await generateText({ model: anthropicModel(id), prompt: "x", maxRetries: 0 });
    expect(result.text).toBe("w0 w1 w2 w3 w4 ");
    const times = fake.scenario(id)!.tokenSentAtMs[0]!;
    expect(times).toHaveLength(5);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(25);
    expect(fake.scenario(id)!.firstTokenSentAtMs[0]).toBe(times[0]);
  });

  it("reuses the last reply and honours a release made before the hold", async () => {
    const { status, json } = await postJson(`${fake.url}/__scenarios`, { replies: [{ kind: "reply", steps: [{ text: "one" }] }, { kind: "reply", steps: [{ hold: true }, { text: "two" }] }] });
    expect(status).toBe(201);
    expect(json.baseUrl).toBe(baseUrlFor(fake.url, json.id));
    const model = anthropicModel(json.id);
    expect((await generateText({ model, prompt: "x", maxRetries: 0 })).text).toBe("one");
    fake.release(json.id); // banked: the next hold passes at once
    expect((await generateText({ model, prompt: "x", maxRetries: 0 })).text).toBe("two");
    const pending = generateText({ model, prompt: "x", maxRetries: 0 });
    await expect.poll(() => fake.scenario(json.id)!.waitingAtHold).toBe(1);
    fake.release(json.id);
    expect((await pending).text).toBe("two");
    const state = (await (await fetch(`${fake.url}/__scenarios/${json.id}`)).json()) as any;
    expect(state).toMatchObject({ id: json.id, completed: 3, waitingAtHold: 0 });
    expect(state.requests).toHaveLength(3);
  });

  it("rejects bad scenarios and answers unknown paths with 404s", async () => {
    expect((await postJson(`${fake.url}/__scenarios`, { replies: [] })).status).toBe(400);
    expect((await postJson(`${fake.url}/__scenarios`, { replies: [{ kind: "reply", steps: [{ bogus: 1 }] }] })).status).toBe(400);
    expect(() => fake.addScenario({ replies: [{ kind: "error", status: 200 }] })).toThrow(/status/);
    expect((await fetch(`${fake.url}/__scenarios/nope`)).status).toBe(404);
    const unknownAnthropic = await postJson(`${fake.url}/s/nope/v1/messages`, { model: "m" });
    expect(unknownAnthropic).toMatchObject({ status: 404, json: { type: "error", error: { type: "not_found_error" } } });
    const unknownOpenAI = await postJson(`${fake.url}/s/nope/v1/chat/completions`, { model: "m" });
    expect(unknownOpenAI).toMatchObject({ status: 404, json: { error: { type: "not_found_error", code: null } } });
    expect(await postJson(`${fake.url}/elsewhere`, {})).toMatchObject({ status: 404, json: { error: expect.any(String) } });
  });
});
