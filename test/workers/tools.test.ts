// The built-in tools, driven the way the model drives them: a tool call in the provider's
// stream, the real tool, the result back in the next request.
import { inject } from "vitest";
import { describe, expect, it } from "vitest";
import { htmlToText } from "../../src/agent/tools/web-fetch";
import { toolRegistry } from "../../src/agent/tools";
import { connected, type Frame, type TestClient } from "../support/client";
import { scenario, useScenario } from "../support/provider";

async function toolTurn(client: TestClient, sessionKey: string, name: string, input: Record<string, unknown>) {
  const s = await scenario([
    { kind: "reply", steps: [{ toolCall: { id: `toolu_${name}`, name, input } }] },
    { kind: "reply", steps: [{ text: "ok" }] },
  ]);
  await useScenario(client, "anthropic", s);
  const { runId } = await client.call("chat.send", { sessionKey, message: `use ${name}` });
  await client.next((f) => f.event === "chat" && f.payload.runId === runId && f.payload.state === "final");
  const result = client.pending().find((f) => f.event === "agent" && f.payload.runId === runId && f.payload.data.phase === "result");
  return { data: result!.payload.data as Frame, scenario: s };
}

describe("tools", () => {
  it("the registry offers each tool once, with a JSON schema the provider receives", async () => {
    expect(toolRegistry.tools.map((t) => t.name)).toEqual([
      "memory_read",
      "memory_append",
      "sessions_list",
      "sessions_history",
      "web_fetch",
      "cron_list",
      "cron_add",
      "cron_update",
      "cron_remove",
      "tasks_list",
      "tasks_add",
      "tasks_update",
    ]);
    const { client } = await connected();
    const { scenario: s } = await toolTurn(client, "schema", "memory_read", {});
    const tools = (await s.state()).requests[0]!.body.tools as Frame[];
    expect(tools.map((t) => t.name)).toEqual(toolRegistry.tools.map((t) => t.name));
    expect(tools.find((t) => t.name === "web_fetch")!.input_schema).toMatchObject({ type: "object", required: ["url"] });
    client.close();
  });

  it("memory_read returns MEMORY.md; memory_append adds to it", async () => {
    const { client } = await connected();
    await client.call("agents.files.set", { agentId: "main", filename: "MEMORY.md", content: "- likes tea" });
    expect((await toolTurn(client, "mem", "memory_read", {})).data.result).toMatchObject({ content: "- likes tea" });
    await toolTurn(client, "mem", "memory_append", { text: "- lives in Lisbon" });
    expect((await client.call("agents.files.get", { agentId: "main", filename: "MEMORY.md" })).file.content).toBe("- likes tea\n- lives in Lisbon\n");
    client.close();
  });

  it("sessions_history reads another session's messages", async () => {
    const { client } = await connected();
    await toolTurn(client, "other", "memory_read", {});
    const { data } = await toolTurn(client, "reader", "sessions_history", { sessionKey: "other", limit: 2 });
    expect(data.isError).toBe(false);
    expect(data.result.messages.map((m: Frame) => [m.role, m.text])).toEqual([
      ["user", "use memory_read"],
      ["assistant", "ok"],
    ]);
    client.close();
  });

  it("web_fetch returns a resource's text; network failures and bad input are tool errors", async () => {
    const { client } = await connected();
    const target = await scenario([{ kind: "echo" }]);
    const url = `${inject("fakeProviderUrl")}/__scenarios/${target.id}`;
    const ok = await toolTurn(client, "web", "web_fetch", { url, maxChars: 500 });
    expect(ok.data).toMatchObject({ isError: false, result: { status: 200, contentType: "application/json", truncated: false } });
    expect(ok.data.result.text).toContain(target.id);
    const refused = await toolTurn(client, "web", "web_fetch", { url: "http://127.0.0.1:9/" });
    expect(refused.data).toMatchObject({ isError: true, result: "the request failed (network error)" });
    const bad = await toolTurn(client, "web", "web_fetch", { url: "file:///etc/passwd" });
    expect(bad.data.isError).toBe(true);
    // The model is told what went wrong and the run still completes.
    const toolResult = (await bad.scenario.state()).requests[1]!.body.messages.at(-1).content[0];
    expect(toolResult).toMatchObject({ type: "tool_result", is_error: true });
    client.close();
  });

  it("htmlToText keeps readable text only", () => {
    const html = `<!doctype html><html><head><style>p{}</style><script>alert(1)</script></head>
      <body><h1>Title</h1><p>One &amp; two&nbsp;&#8212; three</p><div>Next<br>line</div><!-- hidden --></body></html>`;
    expect(htmlToText(html)).toBe("Title\nOne & two — three\nNext\nline");
  });
});
