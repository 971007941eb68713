import type { ChatClient } from './clients/chat-client.js';

/** One request of a run: when it started (ms on the run's clock), how long it took, how it ended. */
export interface RequestRecord {
  startMs: number;
  latencyMs: number;
  /**
   * Undefined on success; else the error's code or name (`HTTP 503`, `NO_AVAILABLE_KEY`, `UND_ERR_HEADERS_TIMEOUT`...).
   */
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
 * deadline (the caller giving up), until `stop()`; `start()` again resumes.
 */
export class OpenLoop {
  readonly records: RequestRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly cancel = new AbortController();
  private stopping = false;
  private ticker: Promise<void> | undefined;

  constructor(
    private readonly client: ChatClient,
    private readonly now: () => number,
  ) {}

  start(ratePerS: number, deadlineMs: number): void {
    this.stopping = false;
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

  /** Stops for good: the requests still in flight are aborted (their records say so) instead of awaited. */
  async abort(): Promise<void> {
    this.cancel.abort();
    await this.stop();
  }

  private send(deadlineMs: number): void {
    const startMs = this.now();
    // One controller per request, with a plain timer: AbortSignal.timeout() / any() signals can be collected before
    // they fire.
    const controller = new AbortController();
    const deadline = setTimeout(
      () => controller.abort(new DOMException("the caller's deadline passed", 'TimeoutError')),
      deadlineMs,
    );
    const cancel = () => controller.abort(this.cancel.signal.reason);
    this.cancel.signal.addEventListener('abort', cancel, { once: true });
    const request: Promise<void> = this.client
      .chat(controller.signal)
      .then(
        () => void this.records.push({ startMs, latencyMs: this.now() - startMs }),
        (error: unknown) =>
          void this.records.push({ startMs, latencyMs: this.now() - startMs, error: errorKind(error) }),
      )
      .finally(() => {
        clearTimeout(deadline);
        this.cancel.signal.removeEventListener('abort', cancel);
        this.inFlight.delete(request);
      });
    this.inFlight.add(request);
  }
}
