import { z } from "zod";
import { ToolFailure, defineTool } from "./registry";

export const FETCH_TIMEOUT_MS = 10_000;
export const FETCH_MAX_BYTES = 512 * 1024;
const DEFAULT_MAX_CHARS = 20_000;

/** Reads at most `limit` bytes of a body, then stops the download. */
async function readCapped(body: ReadableStream<Uint8Array>, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = limit - size;
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room));
      size += room;
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return { bytes, truncated };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Readable text of an HTML page: scripts, styles and tags dropped, block ends as line breaks. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|noscript|template)[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(br|\/p|\/div|\/h[1-6]|\/li|\/tr|\/section|\/article)\b[^>]*>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === "#") {
        const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t\f\v\r]+/g, " ")
    .replace(/ *\n[\n ]*/g, "\n")
    .trim();
}

export const webFetch = defineTool({
  name: "web_fetch",
  description: `Fetch a web page or text resource over HTTP(S) and return its text (HTML is converted to plain text). At most ${FETCH_MAX_BYTES / 1024} KiB are downloaded, with a ${FETCH_TIMEOUT_MS / 1000} s time limit.`,
  input: z.object({
    url: z.url({ protocol: /^https?$/ }).describe("http(s) URL"),
    maxChars: z.int().min(100).max(100_000).optional().describe(`Longest text to return (default ${DEFAULT_MAX_CHARS})`),
  }),
  async execute({ url, maxChars }, ctx) {
    let res: Response;
    try {
      res = await fetch(url, {
        redirect: "follow",
        headers: { accept: "text/html,text/plain,application/json;q=0.9,*/*;q=0.5", "user-agent": "ArgentEdge/1 (web_fetch tool)" },
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === "TimeoutError";
      throw new ToolFailure(timedOut ? `timed out after ${FETCH_TIMEOUT_MS / 1000} s` : "the request failed (network error)");
    }
    const contentType = res.headers.get("content-type") ?? "";
    if (!/^(text\/|application\/(json|xml|xhtml\+xml|ld\+json)|$)/i.test(contentType)) {
      await res.body?.cancel();
      throw new ToolFailure(`not a text resource (${contentType.split(";")[0]})`);
    }
    const { bytes, truncated: bytesCut } = res.body ? await readCapped(res.body, FETCH_MAX_BYTES) : { bytes: new Uint8Array(), truncated: false };
    const raw = new TextDecoder().decode(bytes);
    const text = /html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(raw) ? htmlToText(raw) : raw;
    const limit = maxChars ?? DEFAULT_MAX_CHARS;
    return {
      url: res.url || url,
      status: res.status,
      contentType: contentType.split(";")[0] || null,
      text: text.slice(0, limit),
      truncated: bytesCut || text.length > limit,
    };
  },
});
