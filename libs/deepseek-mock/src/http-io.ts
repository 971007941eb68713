import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;
export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } as const;

/** The bearer token of a request (`Authorization: Bearer <key>`), or '' when there is none. */
export function bearerKey(req: IncomingMessage): string {
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return match ? match[1].trim() : '';
}

/**
 * One request and its response. Its `signal` aborts when the connection closes before the response finished
 * (client abort, mock close, or a cut), so every wait of the request stops with it.
 */
export class Exchange {
  /** Called with each status sent (set once the key is known, to count responses). */
  onStatus: ((status: number) => void) | undefined;
  /** Created on first use: most requests never wait, and an AbortController per request is not free. */
  private controller: AbortController | undefined;
  private closed = false;
  private closedByServer = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    res.once('close', () => {
      this.closed = true;
      if (this.connectionLost) this.controller?.abort();
    });
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.connectionLost) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** True once the connection closed before the response finished. */
  get connectionLost(): boolean {
    return this.closed && !this.res.writableFinished;
  }

  /** After close: true when the connection closed before the response finished and the mock did not close it itself. */
  get abortedByClient(): boolean {
    return this.connectionLost && !this.closedByServer;
  }

  /** Runs `fn` once the response is finished or the connection closed. */
  onClose(fn: () => void): void {
    this.res.once('close', fn);
  }

  readBody(): Promise<string> {
    const { req } = this;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.once('close', () => {
        if (!req.complete) reject(new Error('request aborted before its body was received'));
      });
      req.once('error', reject);
    });
  }

  /** Waits `ms`; rejects with an AbortError if the connection closes first. */
  async wait(ms: number): Promise<void> {
    if (ms > 0) await sleep(ms, undefined, { signal: this.signal });
  }

  /** Sets the status line and headers (they go out with the first body bytes, or at once with `flush`). */
  head(status: number, headers: OutgoingHttpHeaders, flush = false): void {
    this.res.writeHead(status, headers);
    if (flush) this.res.flushHeaders();
    this.onStatus?.(status);
  }

  /** Writes a body chunk and resolves once it is handed to the socket. */
  write(chunk: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.res.write(chunk, (err) => (err ? reject(err) : resolve())));
  }

  /** Sends a whole JSON response (or, if headers already went out, the JSON as the rest of the body). */
  sendJson(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
    const text = JSON.stringify(body);
    if (!this.res.headersSent) {
      this.head(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), ...headers });
    }
    this.res.end(text);
  }

  end(): void {
    this.res.end();
  }

  /** Drops the connection mid-response (the client sees a truncated body). */
  destroy(): void {
    this.closedByServer = true;
    this.res.destroy();
  }

  /** Resets the connection (the client sees ECONNRESET). */
  reset(): void {
    this.closedByServer = true;
    this.req.socket.resetAndDestroy();
  }
}
