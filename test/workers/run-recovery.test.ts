// A run cut off by a deploy or crash is found on the next wake and closed as an error: the
// transcript stays consistent, agent.wait and duplicate requests answer, the session is free.
//
// workerd refuses a graceful `evictDurableObject` while a run streams ("it still has active
// references": the provider request is in flight), just as production never evicts a busy
// object; what cuts a run short is a deploy or a crash. `abortAllDurableObjects` is that: the
// instance is torn down mid-request, its sockets drop, storage stays.
import { abortAllDurableObjects, env, evictDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { connected, type Frame } from "../support/client";
import { scenario, until, useScenario } from "../support/provider";

it("evictDurableObject waits for a streaming run instead of cutting it off", async () => {
  const { client } = await connected();
  const s = await scenario([{ kind: "reply", steps: [{ text: "Busy" }, { hold: true }, { text: " — done" }] }]);
  await useScenario(client, "anthropic", s);
  const { runId } = await client.call("chat.send", { sessionKey: "not-evicted", message: "long task" });
  await until(s, (st) => st.waitingAtHold === 1);
  const evicting = evictDurableObject(env.GATEWAY.getByName("default"));
  await s.release();
  await evicting; // evicted once the run has finished
  expect(await client.call("agent.wait", { runId, timeoutMs: 10 })).toMatchObject({ status: "ok" });
  expect(await client.call("chat.history", { sessionKey: "not-evicted" })).toMatchObject({
    messages: [{ role: "user" }, { role: "assistant", content: [{ type: "text", text: "Busy — done" }] }],
  });
  client.close();
}, 60_000);

it("a run interrupted by a deploy or crash is closed as an error on the next wake", async () => {
  const { client } = await connected("/ws", { framing: "v3" });
  const s = await scenario([{ kind: "reply", steps: [{ text: "Working on it" }, { hold: true }, { text: " — done" }] }, { kind: "echo" }]);
  await useScenario(client, "anthropic", s);
  const { runId } = await client.call("chat.send", { sessionKey: "interrupted", message: "long task", idempotencyKey: "crash-1" }, "v3");
  await until(s, (st) => st.waitingAtHold === 1);

  await abortAllDurableObjects();
  await client.closed; // the old instance's sockets are gone
  await until(s, (st) => st.aborted === 1); // and so is its upstream request

  // Reconnecting wakes a new instance, which closes the orphaned run before anything else.
  const { client: again } = await connected("/ws", { framing: "v3" });
  const waited = await again.call("agent.wait", { runId, timeoutMs: 10 }, "v3");
  expect(waited).toMatchObject({ runId, status: "error", error: "interrupted: the gateway restarted during this run", endedAt: expect.any(Number) });
  expect(await again.call("chat.send", { sessionKey: "interrupted", message: "long task", idempotencyKey: "crash-1" }, "v3")).toMatchObject({ runId, status: "error" });
  const history = await again.call("chat.history", { sessionKey: "interrupted" }, "v3");
  expect(history.messages.map((m: Frame) => [m.role, m.stopReason ?? null, m.errorMessage ?? null])).toEqual([
    ["user", null, null],
    ["assistant", "error", "interrupted: the gateway restarted during this run"],
  ]);

  // The session is free again, and the next turn carries a consistent history.
  const next = await again.call("chat.send", { sessionKey: "interrupted", message: "try again" }, "v3");
  await again.next((f) => f.event === "chat" && f.payload.runId === next.runId && f.payload.state === "final");
  // The unanswered message stays in context (the provider SDK merges the two user turns).
  expect((await s.state()).requests.at(-1)!.body.messages).toEqual([
    { role: "user", content: [{ type: "text", text: "long task" }, { type: "text", text: "try again" }] },
  ]);
  again.close();
});
