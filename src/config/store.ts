import type { configRepo } from "../db/config-repo";
import { describeIssues } from "../protocol/registry";
import { invalidParams, invalidRequest } from "../protocol/errors";
import { CONFIG_JSON_SCHEMA, childSchema, type JsonSchemaNode } from "./json-schema";
import { joinPath, parsePath, setAtPath, type JsonObject, type PathSegment } from "./paths";
import { ConfigSchema, type Config } from "./schema";
import type { SecretBox } from "./secret-box";
import { sha256Hex } from "../util/hash";

/** What config.get shows in place of a secret; sending it back keeps the stored secret. */
export const REDACTED = "__ARGENT_REDACTED__";

export interface ConfigSnapshot {
  /** The sparse document as set, secrets in plain text: never leaves the Durable Object. */
  doc: JsonObject;
  /** The sparse document with secrets replaced by REDACTED: safe for clients. */
  redacted: JsonObject;
  /** The document with defaults applied (secrets in plain text, for internal use). */
  resolved: Config;
  revision: number;
  /** Version tag clients send back as `baseHash` for optimistic concurrency. */
  hash: string;
}

type Secrets = Record<string, string>;

/**
 * The tenant's configuration, cached in the Durable Object and written through to D1.
 * Writes are serialized and all-or-nothing: a change is validated as a whole document
 * before anything is stored.
 */
export class ConfigStore {
  private current?: Promise<ConfigSnapshot>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly tenantId: string,
    private readonly repo: ReturnType<typeof configRepo>,
    private readonly box: SecretBox,
    private readonly onChange: (next: ConfigSnapshot) => void = () => {},
  ) {}

  load(): Promise<ConfigSnapshot> {
    this.current ??= this.read().catch((err) => {
      this.current = undefined;
      throw err;
    });
    return this.current;
  }

  /**
   * Applies `mutate` to a copy of the document, validates the result, restores redacted
   * secrets and stores it. `method` names the RPC in validation errors.
   */
  update(method: string, mutate: (doc: JsonObject, current: ConfigSnapshot) => JsonObject | void): Promise<ConfigSnapshot> {
    const run = async () => {
      const current = await this.load();
      const draft = structuredClone(current.doc);
      const next = mutate(draft, current) ?? draft;
      const parsed = ConfigSchema.safeParse(next);
      if (!parsed.success) throw invalidParams(method, describeIssues(parsed.error));
      const { doc, secrets } = splitSecrets(next, current.doc, method);
      const revision = current.revision + 1;
      const stored = {
        doc: JSON.stringify(doc),
        secrets: Object.keys(secrets).length > 0 ? await this.box.seal(JSON.stringify(secrets)) : null,
        revision,
      };
      if (!(await this.repo.put(this.tenantId, stored, Date.now()))) {
        this.current = undefined;
        throw invalidRequest("config changed concurrently; re-run config.get and retry");
      }
      const snapshot = await snapshotOf(next, parsed.data, revision);
      this.current = Promise.resolve(snapshot);
      this.onChange(snapshot);
      return snapshot;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async read(): Promise<ConfigSnapshot> {
    const row = await this.repo.get(this.tenantId);
    if (!row) return snapshotOf({}, ConfigSchema.parse({}), 0);
    const doc = JSON.parse(row.doc) as JsonObject;
    if (row.secrets) {
      const secrets = JSON.parse(await this.box.open(row.secrets)) as Secrets;
      for (const [path, value] of Object.entries(secrets)) setAtPath(doc, parsePath(path)!, value);
    }
    // A stored document that no longer validates (schema tightened) still loads with defaults.
    const parsed = ConfigSchema.safeParse(doc);
    return snapshotOf(doc, parsed.success ? parsed.data : ConfigSchema.parse({}), row.revision);
  }
}

async function snapshotOf(doc: JsonObject, resolved: Config, revision: number): Promise<ConfigSnapshot> {
  const redacted = mapSecrets(structuredClone(doc), () => REDACTED);
  const hash = await sha256Hex(`${revision}\n${JSON.stringify(redacted)}`);
  return { doc, redacted, resolved, revision, hash };
}

/** Calls `fn` on every secret value of `doc` (per the schema's `sensitive` marks), in place. */
function mapSecrets(doc: JsonObject, fn: (value: unknown, path: PathSegment[]) => unknown): JsonObject {
  const visit = (value: unknown, schema: JsonSchemaNode | undefined, path: PathSegment[]): unknown => {
    if (!schema) return value;
    if (schema.sensitive) return fn(value, path);
    if (Array.isArray(value)) return value.map((v, i) => visit(v, childSchema(schema, i), [...path, i]));
    if (typeof value === "object" && value !== null) {
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) obj[key] = visit(obj[key], childSchema(schema, key), [...path, key]);
    }
    return value;
  };
  return visit(doc, CONFIG_JSON_SCHEMA, []) as JsonObject;
}

/**
 * Separates secret values from the document. A secret sent back as REDACTED keeps the
 * value stored at that path; the caller's `next` gets the real value restored too.
 */
function splitSecrets(next: JsonObject, previous: JsonObject, method: string): { doc: JsonObject; secrets: Secrets } {
  const secrets: Secrets = {};
  const previousSecrets: Secrets = {};
  mapSecrets(structuredClone(previous), (value, path) => {
    if (typeof value === "string") previousSecrets[joinPath(path)] = value;
    return value;
  });
  mapSecrets(next, (value, path) => {
    const key = joinPath(path);
    if (value === REDACTED) {
      const kept = previousSecrets[key];
      if (kept === undefined) throw invalidParams(method, `${key}: no stored secret to keep; send the value`);
      value = kept;
    }
    if (typeof value === "string") secrets[key] = value;
    return value;
  });
  const doc = mapSecrets(structuredClone(next), () => undefined);
  return { doc: JSON.parse(JSON.stringify(doc)) as JsonObject, secrets };
}
