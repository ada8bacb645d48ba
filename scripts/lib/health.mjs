// Polls the gateway's GET /health until it answers 200.
import { HOST } from "./local-env.mjs";

export function healthUrl(port) {
  return `http://${HOST}:${port}/health`;
}

/** One probe: true when GET /health answers 200 within `timeoutMs`. */
export async function probeHealth(port, timeoutMs = 2000) {
  try {
    const res = await fetch(healthUrl(port), { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => {});
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Resolves true once /health answers 200, false when `timeoutMs` passes or `stop()` returns true
 * (e.g. the server process exited).
 */
export async function waitForHealth(port, { timeoutMs = 120_000, intervalMs = 250, stop = () => false } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stop()) return false;
    if (await probeHealth(port)) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return false;
}
