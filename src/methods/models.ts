import { MODELS, providerInfo } from "../agent/model-catalog";
import { customModelInfo, tenantProviders } from "../agent/providers";
import { defineMethod, noParams } from "../protocol/registry";

export const modelMethods = [
  defineMethod({
    name: "models.list",
    access: "read",
    params: noParams,
    async handler(ctx) {
      const config = (await ctx.config.load()).resolved;
      const providers = tenantProviders(config, ctx.env);
      const available = new Map(providers.map((p) => [p.id, p.available]));
      const custom = Object.entries(config.models.providers).flatMap(([id, p]) => (p.models ?? []).map((m) => customModelInfo(id, m)));
      // A model the tenant declared replaces the built-in entry with the same id.
      const customIds = new Set(custom.map((m) => m.id));
      const models = [...MODELS.filter((m) => !customIds.has(m.id)), ...custom].map((m) => ({
        ...m,
        custom: customIds.has(m.id),
        available: available.get(m.provider) ?? false,
      }));
      return {
        defaultModel: config.agents.defaults.model,
        models,
        providers: providers.map((p) => ({
          id: p.id,
          name: providerInfo(p.id)?.name ?? p.id,
          api: p.api,
          ...(p.baseUrl ? { baseUrl: p.baseUrl } : {}),
          available: p.available,
          ...(p.unavailableReason ? { reason: p.unavailableReason } : {}),
        })),
      };
    },
  }),
];
