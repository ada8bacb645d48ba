import type { Clock } from "./clock";

/** What every per-agent activity state has: when its schedule started. */
export interface ArmedState {
  armedAtMs: number;
}

/**
 * The per-agent state of one scheduled activity (heartbeat, worker, contemplation) in the
 * Durable Object's storage under `<prefix>:<agentId>`. A state is created on first use with
 * `armedAtMs` = now, so an activity's first interval counts from when it was first planned.
 */
export class AgentStates<T extends ArmedState> {
  constructor(
    private readonly kv: SyncKvStorage,
    private readonly prefix: string,
    private readonly clock: Clock,
    private readonly initial: (armedAtMs: number) => T,
  ) {}

  find(agentId: string): T | undefined {
    return this.kv.get<T>(this.key(agentId));
  }

  get(agentId: string): T {
    const existing = this.find(agentId);
    if (existing) return existing;
    const state = this.initial(this.clock.now());
    this.put(agentId, state);
    return state;
  }

  put(agentId: string, state: T): void {
    this.kv.put(this.key(agentId), state);
  }

  update(agentId: string, change: Partial<T>): T {
    const next = { ...this.get(agentId), ...change };
    this.put(agentId, next);
    return next;
  }

  all(): T[] {
    return [...this.kv.list<T>({ prefix: `${this.prefix}:` })].map(([, state]) => state);
  }

  private key(agentId: string) {
    return `${this.prefix}:${agentId}`;
  }
}
