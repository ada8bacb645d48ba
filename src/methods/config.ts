import { z } from "zod";
import { CONFIG_JSON_SCHEMA, collectUiHints } from "../config/json-schema";
import { mergePatch, parsePath, setAtPath, type JsonObject } from "../config/paths";
import type { ConfigSnapshot } from "../config/store";
import { invalidParams, invalidRequest } from "../protocol/errors";
import { defineMethod, noParams, params } from "../protocol/registry";
import { GATEWAY_VERSION } from "../version";

/** What every config method answers with: never the plain-text document. */
function view(snapshot: ConfigSnapshot) {
  return {
    exists: snapshot.revision > 0,
    config: snapshot.redacted,
    raw: JSON.stringify(snapshot.redacted, null, 2),
    hash: snapshot.hash,
    revision: snapshot.revision,
    valid: true,
    issues: [] as string[],
  };
}

const PathValue = { path: z.string().min(1).max(512), value: z.unknown() };
/** v3 clients edit the whole document as text and send back the hash they loaded. */
const RawEdit = { raw: z.string().max(1_000_000), baseHash: z.string().max(128).optional() };

function parseRaw(method: string, raw: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParams(method, "raw: not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidParams(method, "raw: must be a JSON object");
  }
  return parsed as JsonObject;
}

function checkBaseHash(current: ConfigSnapshot, baseHash: string | undefined) {
  if (current.revision === 0) return;
  if (baseHash === undefined) throw invalidRequest("config base hash required; re-run config.get and retry");
  if (baseHash !== current.hash) throw invalidRequest("config changed since last load; re-run config.get and retry");
}

function applyPath(method: string, doc: JsonObject, path: string, value: unknown) {
  const segments = parsePath(path);
  if (!segments) throw invalidParams(method, `invalid config path "${path}"`);
  if (value === undefined) throw invalidParams(method, `${path}: value is required (null removes the key)`);
  const problem = setAtPath(doc, segments, value);
  if (problem) throw invalidParams(method, problem);
}

export const configMethods = [
  defineMethod({
    name: "config.get",
    access: "admin",
    params: noParams,
    handler: async (ctx) => view(await ctx.config.load()),
  }),

  defineMethod({
    name: "config.set",
    access: "admin",
    params: z.union([params(PathValue), params(RawEdit)]),
    async handler(ctx, p) {
      const next = await ctx.config.update("config.set", (doc, current) => {
        if ("raw" in p) {
          checkBaseHash(current, p.baseHash);
          return parseRaw("config.set", p.raw);
        }
        applyPath("config.set", doc, p.path, p.value);
      });
      return { ok: true, ...view(next) };
    },
  }),

  defineMethod({
    name: "config.patch",
    access: "admin",
    params: z.union([
      params({ patches: z.array(params(PathValue)).min(1).max(200) }),
      params(RawEdit),
    ]),
    async handler(ctx, p) {
      const next = await ctx.config.update("config.patch", (doc, current) => {
        if ("raw" in p) {
          checkBaseHash(current, p.baseHash);
          return mergePatch(doc, parseRaw("config.patch", p.raw)) as JsonObject;
        }
        // All patches land on one draft that is validated once: one bad patch, nothing changes.
        for (const patch of p.patches) applyPath("config.patch", doc, patch.path, patch.value);
      });
      return { ok: true, ...view(next) };
    },
  }),

  defineMethod({
    name: "config.schema",
    access: "admin",
    params: noParams,
    handler: () => ({
      schema: CONFIG_JSON_SCHEMA,
      uiHints: UI_HINTS,
      version: GATEWAY_VERSION,
    }),
  }),
];

const UI_HINTS = collectUiHints();
