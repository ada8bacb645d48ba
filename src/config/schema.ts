import { z } from "zod";
import { PROVIDER_APIS } from "../agent/model-catalog";
import { isTimeZone } from "../scheduler/zone";

/**
 * The one config schema. Validation, defaults, `config.schema` (JSON Schema + ui hints) and
 * which values are secrets all come from here. Metadata keys used:
 * - `title` / `description`: ui label and help text,
 * - `sensitive: true`: stored encrypted, never returned by config.get.
 */

export const THINKING_LEVELS = ["off", "minimal", "low", "medium", "high"] as const;
export const ThinkingLevel = z.enum(THINKING_LEVELS);

const Duration = z
  .string()
  .regex(/^(\d+(ms|s|m|h|d))+$/, 'expected a duration like "30m", "2h" or "1h30m"');

const ModelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*\/\S+$/, 'expected "provider/model", e.g. "anthropic/claude-sonnet-4-20250514"');

const TimeZone = z.string().refine(isTimeZone, "expected an IANA time zone such as Europe/Berlin");

export const AgentId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "expected lowercase letters, digits, '-' or '_' (max 64)");

const secret = <T extends z.ZodType>(schema: T) => schema.meta({ sensitive: true });

const AgentEntry = z.strictObject({
  id: AgentId.meta({ title: "Agent id" }),
  name: z.string().max(200).optional().meta({ title: "Display name" }),
  default: z.boolean().optional().meta({ title: "Default agent" }),
  model: ModelId.optional().meta({ title: "Model", description: "Overrides agents.defaults.model" }),
  identity: z
    .strictObject({
      name: z.string().max(200).optional(),
      emoji: z.string().max(32).optional(),
      avatar: z.string().max(2048).optional(),
      theme: z.string().max(200).optional(),
    })
    .optional()
    .meta({ title: "Identity" }),
  heartbeat: z
    .strictObject({ every: Duration.optional() })
    .optional()
    .meta({ title: "Heartbeat", description: "Overrides agents.defaults.heartbeat" }),
});

const CustomModel = z.strictObject({
  id: z.string().min(1).max(200).meta({ title: "Model id", description: "As the provider names it (without the provider prefix)" }),
  name: z.string().max(200).optional().meta({ title: "Display name" }),
  contextWindow: z.int().min(1).optional().meta({ title: "Context window (tokens)" }),
  maxOutputTokens: z.int().min(1).optional().meta({ title: "Max output tokens" }),
  input: z.array(z.enum(["text", "image"])).min(1).optional().meta({ title: "Input modalities", description: 'Default ["text"]' }),
  reasoning: z.boolean().optional().meta({ title: "Supports reasoning" }),
  cost: z
    .strictObject({ input: z.number().min(0), output: z.number().min(0) })
    .optional()
    .meta({ title: "Price", description: "USD per million input / output tokens" }),
});

const ProviderConfig = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }).optional().meta({ title: "Base URL" }),
  apiKey: secret(z.string().min(1).max(4096)).optional().meta({ title: "API key" }),
  accountId: z.string().max(64).optional().meta({
    title: "Account id",
    description: "Cloudflare account for Workers AI over its REST API (with apiKey), when there is no AI binding",
  }),
  api: z.enum(PROVIDER_APIS).optional().meta({
    title: "API",
    description: "Wire protocol of this provider; known providers need none, others default to openai-compatible",
  }),
  models: z.array(CustomModel).max(200).optional().meta({ title: "Models", description: "Listed by models.list" }),
});

export const ConfigSchema = z.strictObject({
  agents: z
    .strictObject({
      defaults: z
        .strictObject({
          thinkingDefault: ThinkingLevel.default("low").meta({
            title: "Default thinking level",
            description: "Reasoning effort used when a chat does not choose one",
          }),
          model: ModelId.default("anthropic/claude-sonnet-4-20250514").meta({
            title: "Default model",
            description: '"provider/model"',
          }),
          maxSteps: z.int().min(1).max(50).default(8).meta({
            title: "Max steps per run",
            description: "Model calls one run may make while using tools",
          }),
          timezone: TimeZone.optional().meta({
            title: "Time zone",
            description: "IANA zone for schedules like 06:00; UTC when unset",
          }),
          heartbeat: z
            .strictObject({
              every: Duration.default("30m").meta({ title: "Heartbeat interval" }),
            })
            .prefault({})
            .meta({ title: "Heartbeat" }),
          contemplation: z
            .strictObject({
              enabled: z.boolean().default(false).meta({ title: "Contemplation enabled" }),
              every: Duration.default("2h").meta({ title: "Contemplation interval" }),
            })
            .prefault({})
            .meta({ title: "Contemplation" }),
          executionWorker: z
            .strictObject({
              enabled: z.boolean().default(false).meta({ title: "Execution worker enabled" }),
              every: Duration.default("20m").meta({ title: "Cycle interval" }),
              maxTasksPerCycle: z.int().min(1).max(20).default(3).meta({ title: "Tasks per cycle" }),
              maxNoProgressAttempts: z.int().min(1).max(20).default(3).meta({
                title: "Attempts before blocking",
                description: "A task worked this many times in a row without recorded evidence is blocked",
              }),
            })
            .prefault({})
            .meta({ title: "Execution worker", description: "Works the agents' open tasks on a schedule" }),
        })
        .prefault({})
        .meta({ title: "Agent defaults" }),
      list: z
        .array(AgentEntry)
        .max(64)
        .default([])
        .refine((list) => new Set(list.map((a) => a.id)).size === list.length, "agent ids must be unique")
        .meta({ title: "Agents", description: "Agents besides the always-present `main`" }),
    })
    .prefault({})
    .meta({ title: "Agents" }),
  models: z
    .strictObject({
      providers: z
        .record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/), ProviderConfig)
        .default({})
        .meta({ title: "Model providers", description: "Keyed by provider id (anthropic, openai, ...)" }),
    })
    .prefault({})
    .meta({ title: "Models" }),
  gateway: z
    .strictObject({
      tickIntervalMs: z.int().min(1_000).max(600_000).default(30_000).meta({
        title: "Tick interval (ms)",
        description: "How often connected clients receive a `tick` event",
      }),
      maxPayload: z.int().min(1_024).max(32 * 1024 * 1024).default(8 * 1024 * 1024).meta({
        title: "Max frame size (bytes)",
        description: "Larger frames are refused and the socket closed with 1009",
      }),
    })
    .prefault({})
    .meta({ title: "Gateway" }),
});

/** The document as the user wrote it (sparse). */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** The document with every default applied. */
export type Config = z.output<typeof ConfigSchema>;
