import type { ChatClient } from './clients/chat-client.js';

/** One request of a run: when it started (ms on the run's clock), how long it took, how it ended. */
export interface RequestRecord {
  startMs: number;
  latencyMs: number;
  /** Undefined on success; else the error's name or code (`HTTP 503`, `NoAvailableKeyError`, `UND_ERR_HEADERS_TIMEOUT`...). */
  error?: string;
}

function errorKind(error: unknown): string {
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && code) return code;
  return typeof name === 'string' && name ? name : 'Error';
}

/**
 * A closed loop: `concurrency` lanes, each sending its next request as soon as the previous one ends, every
 * request with its own deadline (the caller giving up), until `stop()`.
 */
export class ClosedLoop {
  readonly records: RequestRecord[] = [];
  private stopping = false;
  private lanes: Promise<void>[] = [];

  constructor(
    private readonly client: ChatClient,
    private readonly now: () => number,
  ) {}

  start(concurrency: number, deadlineMs: number): void {
    this.lanes = Array.from({ length: concurrency }, () => this.lane(deadlineMs));
  }

  /** Stops sending and waits for the requests in flight (each ends by its deadline at the latest). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.lanes);
  }

  private async lane(deadlineMs: number): Promise<void> {
    while (!this.stopping) {
      const startMs = this.now();
      try {
        await this.client.chat(AbortSignal.timeout(deadlineMs));
        this.records.push({ startMs, latencyMs: this.now() - startMs });
      } catch (error) {
        this.records.push({ startMs, latencyMs: this.now() - startMs, error: errorKind(error) });
      }
    }
  }
}
