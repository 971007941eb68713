import type { ChunkedBody } from './chunked-body.js';

/** How a pushed body steers the exchange that feeds it (undici's DispatchController has these). */
export interface BodyFlow {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

/** Bytes a body holds for a reader that is not reading before it pauses the exchange (Node streams' 64 KiB). */
export const BODY_HIGH_WATER_MARK = 64 * 1024;

/**
 * A response body fed by its exchange's callbacks (`push`, `end`, `fail`) rather than by a Node stream. Read whole
 * (`forEachChunk`), every chunk goes to the reader as it arrives; iterated, chunks wait in a queue, and the exchange is
 * paused while the queue holds more than `highWaterMark` bytes. A reader that stops early (its callback throws, or
 * the iteration ends before the body) aborts the exchange, which closes its socket.
 */
export class PushedBody implements ChunkedBody {
  /** Chunks not read yet; created with the first (an empty list grows by 17 slots at its first push). */
  private queue: Uint8Array[] | undefined = undefined;
  private queuedBytes = 0;
  private ended = false;
  private error: Error | undefined = undefined;
  private paused = false;
  /** The whole-body reader, once `forEachChunk` was called. */
  private reader: ((chunk: Uint8Array) => void) | undefined = undefined;
  /** Wakes whoever waits for the next chunk, the end or an error. */
  private wake: (() => void) | undefined = undefined;

  constructor(
    private readonly flow: BodyFlow,
    private readonly highWaterMark = BODY_HIGH_WATER_MARK,
  ) {}

  /** A chunk arrived. */
  push(chunk: Uint8Array): void {
    if (this.done()) return;
    if (this.reader !== undefined) {
      this.deliver(chunk);
      return;
    }
    if (this.queue === undefined) this.queue = [chunk];
    else this.queue.push(chunk);
    this.queuedBytes += chunk.byteLength;
    if (this.queuedBytes > this.highWaterMark && !this.paused) {
      this.paused = true;
      this.flow.pause();
    }
    this.notify();
  }

  /** The body ended. */
  end(): void {
    if (this.done()) return;
    this.ended = true;
    this.notify();
  }

  /** The exchange failed: the chunks not read yet are dropped and the reader gets `error`. */
  fail(error: Error): void {
    if (this.done()) return;
    this.error = error;
    this.queue = undefined;
    this.queuedBytes = 0;
    this.notify();
  }

  forEachChunk(onChunk: (chunk: Uint8Array) => void): Promise<void> {
    this.reader = onChunk;
    const queued = this.queue;
    this.queue = undefined;
    // A reader that throws fails the body: the chunks after it are dropped.
    if (queued !== undefined)
      for (let i = 0; i < queued.length && this.error === undefined; i++) this.deliver(queued[i]);
    this.queuedBytes = 0;
    if (this.paused && !this.done()) {
      this.paused = false;
      this.flow.resume();
    }
    return new Promise<void>((resolve, reject) => {
      const settle = (): void => (this.error === undefined ? resolve() : reject(this.error));
      if (this.done()) settle();
      else this.wake = settle;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.next(),
      return: () => {
        this.stop(new Error('response body not read to the end'));
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private async next(): Promise<IteratorResult<Uint8Array>> {
    while (!this.queue?.length && !this.done()) await new Promise<void>((resolve) => (this.wake = resolve));
    const chunk = this.queue?.shift();
    if (chunk !== undefined) {
      this.queuedBytes -= chunk.byteLength;
      if (this.paused && this.queuedBytes <= this.highWaterMark) {
        this.paused = false;
        this.flow.resume();
      }
      return { value: chunk, done: false };
    }
    if (this.error !== undefined) throw this.error;
    return { value: undefined, done: true };
  }

  private deliver(chunk: Uint8Array): void {
    try {
      this.reader?.(chunk);
    } catch (error) {
      this.stop(error as Error);
    }
  }

  /** The reader gave up: fails the body with `reason` and aborts the exchange. */
  private stop(reason: Error): void {
    if (this.done()) return;
    this.fail(reason);
    this.flow.abort(reason);
  }

  private done(): boolean {
    return this.ended || this.error !== undefined;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
