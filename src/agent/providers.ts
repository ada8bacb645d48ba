import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { createWorkersAI } from "workers-ai-provider";
import type { Config } from "../config/schema";
import type { Env } from "../env";
import { invalidParams } from "../protocol/errors";
import { MODELS, providerInfo, splitModelId, type ModelInfo, type ProviderApi } from "./model-catalog";

/** A provider as one tenant can use it: catalog facts merged with the tenant's config. */
export interface TenantProvider {
  id: string;
  api: ProviderApi;
  baseUrl?: string;
  apiKey?: string;
  accountId?: string;
  /** A key, credentials or binding is there: calls can be made. */
  available: boolean;
  /** Why not, for errors and models.list (never contains a secret). */
  unavailableReason?: string;
}

export function tenantProvider(id: string, config: Config, env: Env): TenantProvider {
  const info = providerInfo(id);
  const configured = config.models.providers[id];
  const api: ProviderApi = configured?.api ?? info?.api ?? "openai-compatible";
  const baseUrl = configured?.baseUrl ?? info?.defaultBaseUrl;
  const envKey = info?.envKey ? (env as unknown as Record<string, unknown>)[info.envKey] : undefined;
  const apiKey = configured?.apiKey ?? (typeof envKey === "string" && envKey !== "" ? envKey : undefined);
  const accountId = configured?.accountId;
  let unavailableReason: string | undefined;
  if (api === "workers-ai") {
    if (!env.AI && !(apiKey && accountId)) {
      unavailableReason = `no Workers AI binding (AI) and no models.providers.${id}.{accountId, apiKey}`;
    }
  } else if (!apiKey) {
    unavailableReason = `no API key: set models.providers.${id}.apiKey${info?.envKey ? ` or the Worker secret ${info.envKey}` : ""}`;
  } else if (api === "openai-compatible" && !baseUrl) {
    unavailableReason = `models.providers.${id}.baseUrl is not set`;
  }
  return { id, api, baseUrl, apiKey, accountId, available: !unavailableReason, ...(unavailableReason ? { unavailableReason } : {}) };
}

/** Every provider a tenant can see: the known ones plus any it configured. */
export function tenantProviders(config: Config, env: Env): TenantProvider[] {
  const ids = new Set([...MODELS.map((m) => m.provider), ...Object.keys(config.models.providers)]);
  return [...ids].map((id) => tenantProvider(id, config, env));
}

/** Catalog facts for a model id, from config first (custom models), then the built-in catalog. */
export function modelInfo(modelId: string, config: Config): ModelInfo | undefined {
  const { provider, model } = splitModelId(modelId);
  const custom = config.models.providers[provider]?.models?.find((m) => m.id === model);
  if (custom) return customModelInfo(provider, custom);
  return MODELS.find((m) => m.id === modelId);
}

type CustomModel = NonNullable<Config["models"]["providers"][string]["models"]>[number];
export function customModelInfo(provider: string, m: CustomModel): ModelInfo {
  return {
    id: `${provider}/${m.id}`,
    name: m.name ?? m.id,
    provider,
    contextWindow: m.contextWindow ?? 128_000,
    ...(m.maxOutputTokens ? { maxOutputTokens: m.maxOutputTokens } : {}),
    input: m.input ?? ["text"],
    reasoning: m.reasoning ?? false,
    ...(m.cost ? { cost: m.cost } : {}),
  };
}

/** A model a run or compaction is about to call. */
export interface ModelTarget {
  modelId: string;
  provider: TenantProvider;
  /** The id as the provider names it (no prefix). */
  model: string;
  info?: ModelInfo;
}

/** Resolves `provider/model` for a call, or says (Invalid Params) why it cannot be made. */
export function modelTarget(method: string, modelId: string, config: Config, env: Env, withImages = false): ModelTarget {
  const { provider: providerId, model } = splitModelId(modelId);
  const provider = tenantProvider(providerId, config, env);
  if (!provider.available) throw invalidParams(method, `model ${modelId} is not available: ${provider.unavailableReason}`);
  const info = modelInfo(modelId, config);
  if (withImages && !info?.input.includes("image")) {
    throw invalidParams(
      method,
      info
        ? `images: model ${modelId} does not accept images`
        : `images: model ${modelId} is not known to accept images (declare it in models.providers.${providerId}.models with input ["text","image"])`,
    );
  }
  return { modelId, provider, model, ...(info ? { info } : {}) };
}

/**
 * Models are kept per provider setting: building a provider and model on every run is work
 * the first token waits for. Bounded; a changed key or base URL makes a new entry.
 */
const modelCache = new Map<string, LanguageModelV4>();
const MODEL_CACHE_SIZE = 32;

/** The AI SDK model for `provider/model`; the provider must be available. */
export function languageModel(provider: TenantProvider, model: string, env: Env): LanguageModelV4 {
  const key = JSON.stringify([provider.api, provider.baseUrl, provider.apiKey, provider.accountId, model]);
  let m = modelCache.get(key);
  if (!m) {
    m = createLanguageModel(provider, model, env);
    modelCache.set(key, m);
    if (modelCache.size > MODEL_CACHE_SIZE) modelCache.delete(modelCache.keys().next().value!);
  }
  return m;
}

function createLanguageModel(provider: TenantProvider, model: string, env: Env): LanguageModelV4 {
  switch (provider.api) {
    case "anthropic":
      return createAnthropic({ apiKey: provider.apiKey, baseURL: provider.baseUrl })(model);
    case "openai":
      // Chat Completions: the API every OpenAI-style gateway and proxy also speaks.
      return createOpenAI({ apiKey: provider.apiKey, baseURL: provider.baseUrl }).chat(model);
    case "openai-compatible":
      return createOpenAICompatible({
        name: provider.id,
        apiKey: provider.apiKey,
        baseURL: provider.baseUrl!,
        includeUsage: true,
      }).chatModel(model);
    case "workers-ai": {
      const workersai = env.AI
        ? createWorkersAI({ binding: env.AI })
        : createWorkersAI({ accountId: provider.accountId!, apiKey: provider.apiKey! });
      return workersai(model as Parameters<typeof workersai>[0]) as unknown as LanguageModelV4;
    }
  }
}
