import type { StoredFile } from "./agent-files";

/** Alignment files that shape every turn, in the order they are given to the model. */
export const PROMPT_FILES = ["SOUL.md", "IDENTITY.md", "USER.md", "AGENTS.md", "TOOLS.md", "MEMORY.md"] as const;

export interface PromptInput {
  agentId: string;
  agentName: string;
  files: ReadonlyMap<string, StoredFile>;
  nowMs: number;
  /** IANA zone for the clock line; UTC when absent. */
  timezone?: string;
  toolNames: readonly string[];
  /** Summary of earlier, compacted turns of this session. */
  summary?: string;
  /** Extra instructions for this run (heartbeats, jobs, clients' extraSystemPrompt). */
  extra?: string;
}

/** Formatters by zone: building one costs more than the rest of the prompt, and every run needs one. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "long",
      year: "numeric",
      month: "long",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock as the agent should read it: local time with zone, plus ISO UTC. */
export function describeNow(nowMs: number, timezone = "UTC"): string {
  return `${formatterFor(timezone).format(nowMs)} (${timezone}); ${new Date(nowMs).toISOString()}`;
}

/**
 * The system prompt of a run: who the agent is, its alignment files (missing or empty ones
 * are left out), the tools it has, the current time, and what earlier turns were compacted into.
 */
export function buildSystemPrompt(p: PromptInput): string {
  const sections = [
    `You are ${p.agentName}, a personal AI agent running on ArgentOS (agent id "${p.agentId}"). ` +
      "Your alignment files below define your character, your user and how you work; follow them.",
  ];
  for (const name of PROMPT_FILES) {
    const content = p.files.get(name)?.content.trim();
    if (content) sections.push(`## ${name}\n\n${content}`);
  }
  if (p.toolNames.length > 0) sections.push(`## Tools\n\nYou can call these tools: ${p.toolNames.join(", ")}.`);
  if (p.summary) sections.push(`## Earlier in this conversation (summary)\n\n${p.summary}`);
  if (p.extra) sections.push(p.extra);
  sections.push(`Current time: ${describeNow(p.nowMs, p.timezone)}`);
  return sections.join("\n\n");
}
