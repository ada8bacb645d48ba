import { z } from "zod";
import { ConfigSchema } from "./schema";

/** The subset of JSON Schema that zod emits for the config schema and that we walk. */
export interface JsonSchemaNode {
  type?: string;
  title?: string;
  description?: string;
  sensitive?: boolean;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  additionalProperties?: JsonSchemaNode | boolean;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  [key: string]: unknown;
}

/** Generated once per isolate from the zod schema: the input shape, with defaults shown. */
export const CONFIG_JSON_SCHEMA = z.toJSONSchema(ConfigSchema, {
  io: "input",
  unrepresentable: "any",
}) as JsonSchemaNode;

/** The node that describes `key` inside `node`, if the schema allows it. */
export function childSchema(node: JsonSchemaNode | undefined, key: string | number): JsonSchemaNode | undefined {
  if (!node) return undefined;
  if (node.anyOf) {
    for (const branch of node.anyOf) {
      const found = childSchema(branch, key);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof key === "number") return node.items;
  const prop = node.properties?.[key];
  if (prop) return prop;
  return typeof node.additionalProperties === "object" ? node.additionalProperties : undefined;
}

export interface UiHint {
  label?: string;
  help?: string;
  sensitive?: boolean;
  order: number;
}

/**
 * ui hints keyed by path pattern (`models.providers.*.apiKey`, `agents.list[].id`), the
 * form the ArgentOS dashboard's config editor reads.
 */
export function collectUiHints(root: JsonSchemaNode = CONFIG_JSON_SCHEMA): Record<string, UiHint> {
  const hints: Record<string, UiHint> = {};
  let order = 0;
  const visit = (node: JsonSchemaNode, path: string) => {
    if (path && (node.title || node.description || node.sensitive)) {
      hints[path] = {
        ...(node.title ? { label: node.title } : {}),
        ...(node.description ? { help: node.description } : {}),
        ...(node.sensitive ? { sensitive: true } : {}),
        order: order++,
      };
    }
    for (const [key, child] of Object.entries(node.properties ?? {})) visit(child, path ? `${path}.${key}` : key);
    if (typeof node.additionalProperties === "object") visit(node.additionalProperties, `${path}.*`);
    if (node.items) visit(node.items, `${path}[]`);
  };
  visit(root, "");
  return hints;
}
