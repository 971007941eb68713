/** Told when the producer starts waiting for the consumer (back-pressure) and when it may go on. */
export interface Pacing {
  blocked(): void;
  unblocked(): void;
}

/**
 * A single-consumer async queue between an upstream reader and the caller, with back-pressure: `push` waits
 * while `highWaterMark` items are unread, so a slow client slows the upstream read (and TCP) instead of
 * buffering without bound; `pacing` hears when that wait starts and ends. The consumer stopping early (`return`)
 * cancels the producer through `onCancel`.
 */
export class ChunkChannel<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private ended = false;
  /** What the consumer's next read throws once the queue is drained (a failure `undefined` ends the stream quietly). */
  private failure: { error: unknown } | undefined;
  private cancelled = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(
    private readonly highWaterMark: number,
    private readonly onCancel: () => void,
    private readonly pacing?: Pacing,
  ) {}

  /** Queues an item; resolves false once the consumer has gone (stop producing). */
  async push(item: T): Promise<boolean> {
    if (!this.offer(item)) return false;
    if (this.buffer.length < this.highWaterMark) return true;
    this.pacing?.blocked();
    while (this.buffer.length >= this.highWaterMark && !this.cancelled) {
      await new Promise<void>((resolve) => (this.wakeProducer = resolve));
    }
    this.pacing?.unblocked();
    return !this.cancelled;
  }

  /** Queues an item without waiting for the consumer (for a producer that cannot wait); false once it has gone. */
  offer(item: T): boolean {
    if (this.cancelled) return false;
    this.buffer.push(item);
    this.wake('consumer');
    return true;
  }

  /** The producer finished normally. */
  close(): void {
    this.ended = true;
    this.wake('consumer');
  }

  /** The producer failed: the consumer gets `error` after the items already queued. */
  fail(error: unknown): void {
    if (this.cancelled) return;
    this.failure = failureOf(error);
    this.close();
  }

  /**
   * The consumer is gone without a word (it stopped reading past its bound): what is queued is dropped, the producer
   * is released (its `push` resolves false) and the consumer's next read throws `error`.
   */
  abandon(error: unknown): void {
    if (this.cancelled || this.ended) return;
    this.cancelled = true;
    this.buffer.length = 0;
    this.failure = failureOf(error);
    this.ended = true;
    this.wake('producer');
    this.wake('consumer');
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  async next(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.buffer.length > 0) {
        const [value] = this.buffer.splice(0, 1);
        this.wake('producer');
        return { value, done: false };
      }
      if (this.ended) {
        if (this.failure !== undefined) {
          const { error } = this.failure;
          this.failure = undefined;
          throw error;
        }
        return { value: undefined, done: true };
      }
      if (this.cancelled) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }

  /** The consumer stops early: drop what is queued and cancel the producer. */
  return(): Promise<IteratorResult<T>> {
    if (!this.cancelled && !this.ended) {
      this.cancelled = true;
      this.buffer.length = 0;
      this.wake('producer');
      this.onCancel();
    }
    this.ended = true;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private wake(side: 'consumer' | 'producer'): void {
    const wake = side === 'consumer' ? this.wakeConsumer : this.wakeProducer;
    if (side === 'consumer') this.wakeConsumer = undefined;
    else this.wakeProducer = undefined;
    wake?.();
  }
}

function failureOf(error: unknown): { error: unknown } | undefined {
  return error === undefined ? undefined : { error };
}
