import { z } from "zod";

export const DEFAULT_AGENT_ID = "main";
export const MAIN_KEY = "main";
export const MAIN_SESSION_KEY = `agent:${DEFAULT_AGENT_ID}:${MAIN_KEY}`;

/** Session keys as clients send them: `main`, `agent:<agentId>:<rest>`, or any bare key. */
export const SessionKeyParam = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\s]+$/, "must not contain whitespace");

export interface SessionRef {
  /** Canonical key `agent:<agentId>:<rest>`: what events and results carry. */
  key: string;
  agentId: string;
}

/**
 * `main` is the alias of `agent:main:main`; a bare key belongs to the default agent
 * (`dashboard-7` → `agent:main:dashboard-7`); `agent:<id>:<rest>` is kept as is.
 */
export function resolveSessionKey(raw: string | undefined, agentId?: string): SessionRef {
  const agent = agentId ?? DEFAULT_AGENT_ID;
  if (raw === undefined || raw === MAIN_KEY) return { key: `agent:${agent}:${MAIN_KEY}`, agentId: agent };
  const match = /^agent:([^:]+):(.+)$/.exec(raw);
  if (match) return { key: raw, agentId: match[1]! };
  return { key: `agent:${agent}:${raw}`, agentId: agent };
}

/** The main session of an agent always exists, even before its first message. */
export const isMainSession = (ref: SessionRef) => ref.key === `agent:${ref.agentId}:${MAIN_KEY}`;
