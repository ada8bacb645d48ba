import { describe, expect, it } from "vitest";
import { connected, type Frame } from "../support/client";

describe("models.list", () => {
  it("lists the registry with capabilities, prices and availability; custom models from config appear", async () => {
    const { client } = await connected();
    const before = await client.call("models.list", {});
    const sonnet = before.models.find((m: Frame) => m.id === "anthropic/claude-sonnet-4-20250514");
    expect(sonnet).toEqual({
      id: "anthropic/claude-sonnet-4-20250514",
      name: "Claude Sonnet 4",
      provider: "anthropic",
      contextWindow: 200_000,
      maxOutputTokens: 64_000,
      input: ["text", "image"],
      reasoning: true,
      cost: { input: 3, output: 15 },
      custom: false,
      available: false,
    });
    expect(before.defaultModel).toBe("anthropic/claude-sonnet-4-20250514");
    expect(before.providers.find((p: Frame) => p.id === "workers-ai")).toMatchObject({ available: false, reason: expect.stringContaining("no Workers AI binding") });

    await client.call("config.patch", {
      patches: [
        { path: "models.providers.anthropic.apiKey", value: "sk-ant-listed" },
        { path: "models.providers.ollama.baseUrl", value: "http://127.0.0.1:11434/v1" },
        { path: "models.providers.ollama.apiKey", value: "ollama" },
        { path: "models.providers.ollama.models", value: [{ id: "llama3.2-vision", name: "Llama 3.2 Vision", input: ["text", "image"], contextWindow: 131072, cost: { input: 0, output: 0 } }] },
      ],
    });
    const after = await client.call("models.list", {}, "v3");
    expect(after.models.find((m: Frame) => m.id === "anthropic/claude-sonnet-4-20250514").available).toBe(true);
    expect(after.models.find((m: Frame) => m.id === "openai/gpt-4o").available).toBe(false);
    expect(after.models.find((m: Frame) => m.id === "ollama/llama3.2-vision")).toEqual({
      id: "ollama/llama3.2-vision",
      name: "Llama 3.2 Vision",
      provider: "ollama",
      contextWindow: 131072,
      input: ["text", "image"],
      reasoning: false,
      cost: { input: 0, output: 0 },
      custom: true,
      available: true,
    });
    expect(after.providers.find((p: Frame) => p.id === "ollama")).toEqual({ id: "ollama", name: "ollama", api: "openai-compatible", baseUrl: "http://127.0.0.1:11434/v1", available: true });
    expect(JSON.stringify(after)).not.toContain("sk-ant-listed");
    client.close();
  });

  it("a provider key is a secret: sealed in D1, redacted by config.get", async () => {
    const { client } = await connected();
    await client.call("config.set", { path: "models.providers.openai.apiKey", value: "sk-openai-secret-value" });
    const got = await client.call("config.get", {});
    expect(got.config.models.providers.openai.apiKey).toBe("__ARGENT_REDACTED__");
    const { env } = await import("cloudflare:test");
    const row = await env.DB.prepare("select doc, secrets from tenant_config where tenant_id = 'default'").first<{ doc: string; secrets: string }>();
    expect(row!.doc + row!.secrets).not.toContain("sk-openai-secret-value");
    client.close();
  });
});
