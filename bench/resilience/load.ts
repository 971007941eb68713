import type { ChatClient } from './clients/chat-client.js';

/** One request of a run: when it started (ms on the run's clock), how long it took, how it ended. */
export interface RequestRecord {
  startMs: number;
  latencyMs: number;
  /** Undefined on success; else the error's code or name (`HTTP 503`, `NO_AVAILABLE_KEY`, `UND_ERR_HEADERS_TIMEOUT`...). */
  error?: string;
}

function errorKind(error: unknown): string {
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && code) return code;
  return typeof name === 'string' && name ? name : 'Error';
}

/**
 * An open loop: requests start evenly spaced at `ratePerS` whatever happens to the earlier ones (so every
 * client is offered the same requests, and a client that fails fast gets no more of them), each with its own
 * deadline (the caller giving up), until `stop()`.
 */
export class OpenLoop {
  readonly records: RequestRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private ticker: Promise<void> | undefined;

  constructor(
    private readonly client: ChatClient,
    private readonly now: () => number,
  ) {}

  start(ratePerS: number, deadlineMs: number): void {
    const spacingMs = 1000 / ratePerS;
    const startMs = this.now();
    let sent = 0;
    this.ticker = (async () => {
      while (!this.stopping) {
        const due = Math.floor((this.now() - startMs) / spacingMs) + 1;
        for (; sent < due; sent++) this.send(deadlineMs);
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, startMs + sent * spacingMs - this.now())));
      }
    })();
  }

  /** Stops sending and waits for the requests in flight (each ends by its deadline at the latest). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.ticker;
    await Promise.all(this.inFlight);
  }

  private send(deadlineMs: number): void {
    const startMs = this.now();
    const request = this.client.chat(AbortSignal.timeout(deadlineMs)).then(
      () => void this.records.push({ startMs, latencyMs: this.now() - startMs }),
      (error: unknown) => void this.records.push({ startMs, latencyMs: this.now() - startMs, error: errorKind(error) }),
    );
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }
}
