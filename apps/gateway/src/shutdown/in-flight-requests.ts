import type { Server, ServerResponse } from 'node:http';

/**
 * Counts the requests a server is answering: a request counts until its response closes (a stream until its end).
 * Once `closeConnections()` is called, every answer (in flight or new) closes its connection when it is done:
 * `server.close()` only drops the connections idle at that moment, so a keep-alive client whose request was in flight
 * would otherwise go on sending requests on its connection for ever.
 */
export class InFlightRequests {
  private readonly responses = new Set<ServerResponse>();
  private waiters: Array<() => void> = [];
  private closing = false;

  constructor(server: Server) {
    server.on('request', (_request, response: ServerResponse) => {
      this.responses.add(response);
      if (this.closing) closeWhenDone(response);
      response.once('close', () => {
        this.responses.delete(response);
        if (this.responses.size === 0) for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  get size(): number {
    return this.responses.size;
  }

  /** From now on, each answer closes its connection once sent: those in flight and any that still arrive. */
  closeConnections(): void {
    this.closing = true;
    for (const response of this.responses) closeWhenDone(response);
  }

  /** Resolves when no request is in flight, or after `timeoutMs`: true when idle, false when time ran out. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.responses.size === 0) return Promise.resolve(true);
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

function closeWhenDone(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
  else response.once('finish', () => response.socket?.end());
}
