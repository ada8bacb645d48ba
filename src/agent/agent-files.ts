import { agentFilesRepo } from "../db/agent-files-repo";
import type { Database } from "../db/client";

/** The alignment files every agent has (missing ones read as empty). */
export const ALIGNMENT_FILES = [
  "AGENTS.md",
  "SOUL.md",
  "TOOLS.md",
  "IDENTITY.md",
  "USER.md",
  "HEARTBEAT.md",
  "BOOTSTRAP.md",
  "MEMORY.md",
] as const;
export type AlignmentFile = (typeof ALIGNMENT_FILES)[number];

/** D1 rows are limited to 2 MB; alignment files are prompts, far smaller in practice. */
export const MAX_FILE_BYTES = 1024 * 1024;

export interface StoredFile {
  content: string;
  updatedAtMs: number;
}

export const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/** Writing would make a file larger than MAX_FILE_BYTES. */
export class FileTooLarge extends Error {}

/**
 * An agent's alignment files as the tenant's Durable Object sees them: read from D1 once per
 * agent and cached (every run's system prompt needs them), written through. All writes of a
 * tenant pass through its one Durable Object, so the cache stays true.
 */
export class AgentFiles {
  private readonly repo: ReturnType<typeof agentFilesRepo>;
  private readonly cache = new Map<string, Promise<Map<string, StoredFile>>>();

  constructor(
    db: Database,
    private readonly tenantId: string,
    /** Told after every write (the scheduler watches HEARTBEAT.md). */
    private readonly onChange: (name: string, agentId: string) => void = () => {},
  ) {
    this.repo = agentFilesRepo(db);
  }

  /** Every stored file of the agent. */
  all(agentId: string): Promise<Map<string, StoredFile>> {
    let files = this.cache.get(agentId);
    if (!files) {
      files = this.repo.all(this.tenantId, agentId).then((rows) => new Map(rows.map((r) => [r.name, { content: r.content, updatedAtMs: r.updatedAtMs }])));
      files.catch(() => this.cache.delete(agentId));
      this.cache.set(agentId, files);
    }
    return files;
  }

  async get(agentId: string, name: string): Promise<StoredFile | undefined> {
    return (await this.all(agentId)).get(name);
  }

  async put(agentId: string, name: string, content: string, nowMs: number): Promise<StoredFile> {
    if (utf8Bytes(content) > MAX_FILE_BYTES) throw new FileTooLarge(`${name} would be larger than ${MAX_FILE_BYTES} bytes`);
    const files = await this.all(agentId);
    await this.repo.put(this.tenantId, agentId, name, content, nowMs);
    const stored = { content, updatedAtMs: nowMs };
    files.set(name, stored);
    this.onChange(name, agentId);
    return stored;
  }

  /** Appends `text` on a new line (the file is created when missing). */
  async append(agentId: string, name: string, text: string, nowMs: number): Promise<StoredFile> {
    const current = (await this.get(agentId, name))?.content ?? "";
    const separator = current === "" || current.endsWith("\n") ? "" : "\n";
    return this.put(agentId, name, `${current}${separator}${text}${text.endsWith("\n") ? "" : "\n"}`, nowMs);
  }
}
