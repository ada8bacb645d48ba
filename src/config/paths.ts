/**
 * Config paths as clients write them: `agents.defaults.heartbeat.every`,
 * `agents.list[0].name` or `agents.list.0.name`.
 */
export type PathSegment = string | number;

export function parsePath(path: string): PathSegment[] | undefined {
  if (path.length === 0 || path.length > 512) return undefined;
  const segments: PathSegment[] = [];
  for (const part of path.replace(/\[(\d+)\]/g, ".$1").split(".")) {
    if (part.length === 0) return undefined;
    if (part === "__proto__" || part === "constructor" || part === "prototype") return undefined;
    segments.push(/^\d+$/.test(part) ? Number(part) : part);
  }
  return segments;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Sets `value` at `segments` inside `doc` (mutates it; callers pass a copy), creating
 * objects on the way. `null` removes the key. Returns an error text naming the path when an
 * intermediate value is not a container.
 */
export function setAtPath(doc: JsonObject, segments: PathSegment[], value: unknown): string | undefined {
  let node: Json = doc;
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i]!;
    const container = node as Record<string | number, Json>;
    let next: Json | undefined = Array.isArray(node) || isObject(node) ? container[seg] : undefined;
    if (next === undefined || next === null) {
      if (!(Array.isArray(node) || isObject(node))) return describeNotContainer(segments, i);
      if (Array.isArray(node) && (typeof seg !== "number" || seg > node.length)) {
        return `${joinPath(segments.slice(0, i + 1))}: index out of range`;
      }
      next = typeof segments[i + 1] === "number" ? [] : {};
      container[seg] = next;
    }
    if (!(Array.isArray(next) || isObject(next))) return describeNotContainer(segments, i + 1);
    node = next;
  }
  const last = segments[segments.length - 1]!;
  if (Array.isArray(node)) {
    if (typeof last !== "number" || last > node.length) return `${joinPath(segments)}: index out of range`;
    if (value === null) node.splice(last, 1);
    else node[last] = value as Json;
  } else if (isObject(node)) {
    if (value === null) delete node[String(last)];
    else node[String(last)] = value as Json;
  } else {
    return describeNotContainer(segments, segments.length - 1);
  }
  return undefined;
}

function describeNotContainer(segments: PathSegment[], depth: number): string {
  return `${joinPath(segments.slice(0, depth))} is not an object, cannot set ${joinPath(segments)}`;
}

export function joinPath(segments: readonly PathSegment[]): string {
  return segments.map((s) => (typeof s === "number" ? `[${s}]` : s)).join(".").replace(/\.\[/g, "[");
}

/** RFC 7386 JSON merge patch (v3 `config.patch {raw}`): null deletes, objects merge, rest replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === "__proto__") continue;
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}
