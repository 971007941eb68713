import type { Server } from 'node:http';

/** Counts the requests a server is answering: a request counts until its response closes (a stream until its end). */
export class InFlightRequests {
  private count = 0;
  private waiters: Array<() => void> = [];

  constructor(server: Server) {
    server.on('request', (_request, response: { once(event: 'close', listener: () => void): void }) => {
      this.count += 1;
      response.once('close', () => {
        this.count -= 1;
        if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  get size(): number {
    return this.count;
  }

  /** Resolves when no request is in flight, or after `timeoutMs`: true when idle, false when time ran out. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(wake);
    });
  }
}
