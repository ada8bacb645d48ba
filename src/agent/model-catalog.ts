/**
 * The provider registry, kept as data: which providers the gateway knows, how to reach
 * them, and the models it can describe (context window, modalities, reasoning, list price
 * in USD per million tokens). Models a tenant adds in config (`models.providers.<id>.models`)
 * are merged in by `models.list`; any other `provider/model` id still works if the provider
 * is reachable, it just has no catalog entry.
 */

/** How a provider is spoken to: each maps to one AI SDK provider package. */
export type ProviderApi = "anthropic" | "openai" | "openai-compatible" | "workers-ai";
export const PROVIDER_APIS = ["anthropic", "openai", "openai-compatible", "workers-ai"] as const;

export interface ProviderInfo {
  id: string;
  name: string;
  api: ProviderApi;
  /** Used when config sets no `baseUrl` (the AI SDK default when absent). */
  defaultBaseUrl?: string;
  /** Worker secret holding the operator's key for every tenant (config wins). */
  envKey?: string;
}

export type Modality = "text" | "image";

export interface ModelInfo {
  /** `provider/model`. */
  id: string;
  name: string;
  provider: string;
  contextWindow: number;
  maxOutputTokens?: number;
  input: Modality[];
  reasoning: boolean;
  /** USD per million tokens; absent when the provider does not bill per token. */
  cost?: { input: number; output: number };
}

export const PROVIDERS: readonly ProviderInfo[] = [
  { id: "anthropic", name: "Anthropic", api: "anthropic", envKey: "ANTHROPIC_API_KEY" },
  { id: "openai", name: "OpenAI", api: "openai", envKey: "OPENAI_API_KEY" },
  { id: "workers-ai", name: "Cloudflare Workers AI", api: "workers-ai" },
  { id: "groq", name: "Groq", api: "openai-compatible", defaultBaseUrl: "https://api.groq.com/openai/v1", envKey: "GROQ_API_KEY" },
  { id: "openrouter", name: "OpenRouter", api: "openai-compatible", defaultBaseUrl: "https://openrouter.ai/api/v1", envKey: "OPENROUTER_API_KEY" },
  { id: "deepseek", name: "DeepSeek", api: "openai-compatible", defaultBaseUrl: "https://api.deepseek.com/v1", envKey: "DEEPSEEK_API_KEY" },
  { id: "xai", name: "xAI", api: "openai-compatible", defaultBaseUrl: "https://api.x.ai/v1", envKey: "XAI_API_KEY" },
  { id: "mistral", name: "Mistral", api: "openai-compatible", defaultBaseUrl: "https://api.mistral.ai/v1", envKey: "MISTRAL_API_KEY" },
];

const anthropic = (model: string, name: string, cost: [number, number], contextWindow = 200_000, maxOutputTokens = 32_000): ModelInfo => ({
  id: `anthropic/${model}`,
  name,
  provider: "anthropic",
  contextWindow,
  maxOutputTokens,
  input: ["text", "image"],
  reasoning: true,
  cost: { input: cost[0], output: cost[1] },
});

const openai = (model: string, name: string, cost: [number, number], o: { contextWindow: number; maxOutputTokens: number; reasoning: boolean }): ModelInfo => ({
  id: `openai/${model}`,
  name,
  provider: "openai",
  contextWindow: o.contextWindow,
  maxOutputTokens: o.maxOutputTokens,
  input: ["text", "image"],
  reasoning: o.reasoning,
  cost: { input: cost[0], output: cost[1] },
});

export const MODELS: readonly ModelInfo[] = [
  anthropic("claude-sonnet-4-20250514", "Claude Sonnet 4", [3, 15], 200_000, 64_000),
  anthropic("claude-sonnet-4-5", "Claude Sonnet 4.5", [3, 15], 200_000, 64_000),
  anthropic("claude-opus-4-20250514", "Claude Opus 4", [15, 75]),
  anthropic("claude-opus-4-1", "Claude Opus 4.1", [15, 75]),
  anthropic("claude-opus-4-5", "Claude Opus 4.5", [5, 25], 200_000, 64_000),
  anthropic("claude-haiku-4-5", "Claude Haiku 4.5", [1, 5], 200_000, 64_000),
  openai("gpt-4o", "GPT-4o", [2.5, 10], { contextWindow: 128_000, maxOutputTokens: 16_384, reasoning: false }),
  openai("gpt-4o-mini", "GPT-4o mini", [0.15, 0.6], { contextWindow: 128_000, maxOutputTokens: 16_384, reasoning: false }),
  openai("gpt-4.1", "GPT-4.1", [2, 8], { contextWindow: 1_047_576, maxOutputTokens: 32_768, reasoning: false }),
  openai("gpt-4.1-mini", "GPT-4.1 mini", [0.4, 1.6], { contextWindow: 1_047_576, maxOutputTokens: 32_768, reasoning: false }),
  openai("o3", "o3", [2, 8], { contextWindow: 200_000, maxOutputTokens: 100_000, reasoning: true }),
  openai("o4-mini", "o4-mini", [1.1, 4.4], { contextWindow: 200_000, maxOutputTokens: 100_000, reasoning: true }),
  openai("gpt-5", "GPT-5", [1.25, 10], { contextWindow: 400_000, maxOutputTokens: 128_000, reasoning: true }),
  openai("gpt-5-mini", "GPT-5 mini", [0.25, 2], { contextWindow: 400_000, maxOutputTokens: 128_000, reasoning: true }),
  {
    id: "workers-ai/@cf/meta/llama-3.3-70b-instruct-fp8-fast",
    name: "Llama 3.3 70B (Workers AI)",
    provider: "workers-ai",
    contextWindow: 24_000,
    input: ["text"],
    reasoning: false,
    cost: { input: 0.29, output: 2.25 },
  },
  {
    id: "workers-ai/@cf/meta/llama-3.1-8b-instruct-fast",
    name: "Llama 3.1 8B (Workers AI)",
    provider: "workers-ai",
    contextWindow: 128_000,
    input: ["text"],
    reasoning: false,
    cost: { input: 0.045, output: 0.384 },
  },
];

export const providerInfo = (id: string): ProviderInfo | undefined => PROVIDERS.find((p) => p.id === id);

/** `anthropic/claude-sonnet-4-20250514` → provider `anthropic`, model `claude-sonnet-4-20250514`. */
export function splitModelId(id: string): { provider: string; model: string } {
  const slash = id.indexOf("/");
  return { provider: id.slice(0, slash), model: id.slice(slash + 1) };
}
