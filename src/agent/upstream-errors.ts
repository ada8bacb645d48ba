import { APICallError } from "ai";

/** HTTP statuses worth a word in the error a user sees. */
const STATUS_WORDS: Record<number, string> = {
  400: "bad request",
  401: "unauthorized: check the API key",
  403: "forbidden",
  404: "not found: check the model id and base URL",
  408: "timeout",
  413: "request too large",
  429: "rate limited",
  500: "server error",
  502: "bad gateway",
  503: "unavailable",
  504: "gateway timeout",
  529: "overloaded",
};

const MAX_DETAIL = 300;

/** Replaces anything that looks like a credential with [redacted]. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("[redacted]");
  return out.replace(/\b(sk|pk|rk|key|agt|gsk|xai)[-_][A-Za-z0-9_*-]{8,}/g, "[redacted]").replace(/Bearer\s+\S+/gi, "Bearer [redacted]");
}

function providerMessage(err: APICallError): string | undefined {
  const data = err.data as { error?: { message?: unknown } | string; message?: unknown } | undefined;
  const fromData = typeof data?.error === "object" ? data.error?.message : typeof data?.error === "string" ? data.error : data?.message;
  if (typeof fromData === "string") return fromData;
  try {
    const body = JSON.parse(err.responseBody ?? "") as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    /* not JSON */
  }
  return undefined;
}

function unwrap(err: unknown): unknown {
  // RetryError (after the SDK's retries) and wrapped causes carry the real failure inside.
  const e = err as { lastError?: unknown; cause?: unknown } | undefined;
  if (e && typeof e === "object" && "lastError" in e && e.lastError) return unwrap(e.lastError);
  return err;
}

/**
 * What a user reads when a provider call fails: the provider, the HTTP status and the
 * provider's own explanation, never a stack trace or a key.
 */
export function describeUpstreamError(provider: string, error: unknown, secrets: readonly (string | undefined)[] = []): string {
  const err = unwrap(error);
  let text: string;
  if (APICallError.isInstance(err) && err.statusCode !== undefined) {
    const word = STATUS_WORDS[err.statusCode];
    const detail = providerMessage(err);
    text = `${provider}: HTTP ${err.statusCode}${word ? ` (${word})` : ""}${detail ? `: ${detail.slice(0, MAX_DETAIL)}` : ""}`;
  } else if (APICallError.isInstance(err)) {
    text = `${provider}: the request could not be completed (${err.message.slice(0, MAX_DETAIL)})`;
  } else {
    const name = err instanceof Error ? err.name : typeof err;
    text = `${provider}: the response stream broke off (${name})`;
  }
  return scrubSecrets(text, secrets);
}
