import type { AgentFiles } from "../agent/agent-files";
import type { RunManager } from "../agent/run-manager";
import type { ConfigStore } from "../config/store";
import type { Clock } from "./clock";

/** What the scheduler's parts need from the tenant's Durable Object. */
export interface SchedulerDeps {
  kv: SyncKvStorage;
  clock: Clock;
  config: ConfigStore;
  files: AgentFiles;
  runs: RunManager;
  broadcast: (event: string, payload: unknown) => void;
}
