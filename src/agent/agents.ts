import type { Config } from "../config/schema";
import { DEFAULT_AGENT_ID } from "./session-keys";

export interface AgentView {
  id: string;
  name: string;
  default: boolean;
  model: string;
  identity?: { name?: string; emoji?: string; avatar?: string; theme?: string };
}

/** `main` always exists; the rest are `agents.list` in config. */
export function listAgents(config: Config): AgentView[] {
  const entries = config.agents.list;
  const explicitDefault = entries.find((a) => a.default)?.id ?? DEFAULT_AGENT_ID;
  const main = entries.find((a) => a.id === DEFAULT_AGENT_ID) ?? { id: DEFAULT_AGENT_ID };
  const all = [main, ...entries.filter((a) => a.id !== DEFAULT_AGENT_ID)];
  return all.map((a) => ({
    id: a.id,
    name: ("name" in a && a.name) || ("identity" in a && a.identity?.name) || (a.id === DEFAULT_AGENT_ID ? "Argent" : a.id),
    default: a.id === explicitDefault,
    model: ("model" in a && a.model) || config.agents.defaults.model,
    ...("identity" in a && a.identity ? { identity: a.identity } : {}),
  }));
}

/** `Name: X` (optionally as a list item or bold) from IDENTITY.md. */
export function identityNameFrom(markdown: string): string | undefined {
  const match = /^[\s*-]*\**name\**\s*:\s*\**\s*(.+?)\s*\**\s*$/im.exec(markdown);
  return match?.[1] || undefined;
}

/** What the agent is called: a name chosen in config, else IDENTITY.md's `Name:`, else its default. */
export function agentDisplayName(config: Config, agentId: string, identityMarkdown: string | undefined): string {
  const entry = config.agents.list.find((a) => a.id === agentId);
  const configured = entry?.identity?.name ?? entry?.name;
  if (configured) return configured;
  const fromFile = identityMarkdown ? identityNameFrom(identityMarkdown) : undefined;
  return fromFile ?? listAgents(config).find((a) => a.id === agentId)?.name ?? agentId;
}
