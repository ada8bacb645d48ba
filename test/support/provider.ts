// Scripting the fake model provider from inside workerd (it runs in the vitest Node process).
import { inject } from "vitest";
import type { Reply, Scenario, ScenarioState } from "../fakes/model-provider.ts";
import type { TestClient } from "./client";

export type { Reply, Scenario, ScenarioState };

const fakeUrl = () => inject("fakeProviderUrl");

export interface FakeScenario {
  id: string;
  baseUrl: string;
  state(): Promise<ScenarioState>;
  release(): Promise<void>;
}

export async function scenario(replies: Reply[]): Promise<FakeScenario> {
  const res = await fetch(`${fakeUrl()}/__scenarios`, { method: "POST", body: JSON.stringify({ replies } satisfies Scenario) });
  if (res.status !== 201) throw new Error(`scenario refused: ${res.status} ${await res.text()}`);
  const { id, baseUrl } = (await res.json()) as { id: string; baseUrl: string };
  return {
    id,
    baseUrl,
    state: async () => (await (await fetch(`${fakeUrl()}/__scenarios/${id}`)).json()) as ScenarioState,
    release: async () => void (await fetch(`${fakeUrl()}/__scenarios/${id}/release`, { method: "POST" })).arrayBuffer(),
  };
}

export const TEST_API_KEYS = { anthropic: "sk-ant-test-key-0123456789", openai: "sk-test-openai-key-0123456789" } as const;

/** Points a provider of the tenant at a scenario (and gives it a key). */
export async function useScenario(client: TestClient, provider: "anthropic" | "openai", s: FakeScenario) {
  await client.call("config.patch", {
    patches: [
      { path: `models.providers.${provider}.baseUrl`, value: s.baseUrl },
      { path: `models.providers.${provider}.apiKey`, value: TEST_API_KEYS[provider] },
    ],
  });
}

/** Polls the fake until `check` holds (its state is updated from another process). */
export async function until(s: FakeScenario, check: (st: ScenarioState) => boolean, timeoutMs = 5000): Promise<ScenarioState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = await s.state();
    if (check(st)) return st;
    if (Date.now() > deadline) throw new Error(`fake provider state never matched: ${JSON.stringify({ ...st, requests: st.requests.length })}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
