// Helpers for driving agent runs end to end: frame predicates and waits over the client's
// "all frames" buffer (GatewayClient.frames), provider setup through config.set, and polling
// the fake provider's recorded state.
import type { FakeProvider, ScenarioState } from "../../fakes/model-provider.ts";
import type { GatewayClient } from "./gateway-client";

export type Frame = any;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something other than undefined/false; rejects after `timeoutMs`. */
export async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** The first frame (at or after index `from`) that matches; waits for it when not there yet. */
export function waitFrame(c: GatewayClient, match: (f: Frame) => boolean, what: string, timeoutMs = 30_000, from = 0): Promise<Frame> {
  return until(() => c.frames.slice(from).find((f) => f !== null && typeof f === "object" && match(f)), what, timeoutMs);
}

/** Waits until `count` frames match; resolves with all the matching frames. */
export function waitFrames(c: GatewayClient, match: (f: Frame) => boolean, count: number, what: string, timeoutMs = 30_000): Promise<Frame[]> {
  return until(
    () => {
      const found = c.frames.filter((f) => f !== null && typeof f === "object" && match(f));
      return found.length >= count ? found : undefined;
    },
    what,
    timeoutMs,
  );
}

export const isEvent = (name: string) => (f: Frame) => f?.type === "event" && f.event === name;
export const isAgentOf = (runId: string) => (f: Frame) => isEvent("agent")(f) && f.payload?.runId === runId;
export const isChatOf = (runId: string, state?: string) => (f: Frame) =>
  isEvent("chat")(f) && f.payload?.runId === runId && (state === undefined || f.payload.state === state);
/** The chat event that closes a run: final, aborted or error. */
export const isRunEnd = (runId: string) => (f: Frame) => isChatOf(runId)(f) && f.payload.state !== "delta";

export const agentEvents = (c: GatewayClient, runId: string): Frame[] => c.frames.filter(isAgentOf(runId));
export const chatEvents = (c: GatewayClient, runId: string): Frame[] => c.frames.filter(isChatOf(runId));
/** Every agent and chat event of a run, in the order received. */
export const runEvents = (c: GatewayClient, runId: string): Frame[] => c.frames.filter((f) => isAgentOf(runId)(f) || isChatOf(runId)(f));

/** Waits for the chat event that ends the run (final | aborted | error). */
export function waitRunEnd(c: GatewayClient, runId: string, timeoutMs = 30_000): Promise<Frame> {
  return waitFrame(c, isRunEnd(runId), `the end of run ${runId}`, timeoutMs);
}

/** Polls the fake provider's state of a scenario until `pred` holds. */
export function waitScenario(fake: FakeProvider, id: string, pred: (st: ScenarioState) => boolean, what: string, timeoutMs = 30_000): Promise<ScenarioState> {
  return until(
    () => {
      const st = fake.scenario(id);
      return st && pred(st) ? st : undefined;
    },
    `scenario ${id}: ${what}`,
    timeoutMs,
  );
}

/** Points a provider at a scenario (and sets its key when given) with config.set, as a user would. */
export async function configureProvider(c: GatewayClient, provider: "anthropic" | "openai", baseUrl: string, apiKey?: string): Promise<void> {
  await c.call("config.set", { path: `models.providers.${provider}.baseUrl`, value: baseUrl });
  if (apiKey !== undefined) await c.call("config.set", { path: `models.providers.${provider}.apiKey`, value: apiKey });
}
