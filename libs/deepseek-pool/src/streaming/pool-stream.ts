import { Observable } from 'rxjs';
import type { ChatCompletionChunk } from '../chat.types.js';
import { RequestAbortedError, StreamInterruptedError, UpstreamError } from '../deepseek-pool.errors.js';
import type { AttemptMeta, ChunkSource } from '../call.types.js';

/** What starting a stream yields: the committed key's channel (continuations spliced in) and how it was obtained. */
export interface StreamStart {
  channel: ChunkSource;
  meta: AttemptMeta;
}

/**
 * A streamed chat completion: iterate it (`for await`) or subscribe to `toObservable()` (Nest `@Sse()`,
 * interceptors). Lazy: the upstream request starts on first use. `meta` resolves once a key has produced the
 * first content (before that, failures fail over silently); it rejects like `chat()` when no key could start.
 * After the first content, a cut or stall is continued on another key (one seamless stream), or ends the stream
 * with a StreamInterruptedError, never silently.
 * Breaking out of the loop / unsubscribing aborts the upstream request and frees the key at once.
 * One consumer per stream.
 */
export class PoolStream implements AsyncIterable<ChatCompletionChunk> {
  private started: Promise<StreamStart> | undefined;
  private readonly cancellation = new AbortController();

  /** `start` receives a signal that aborts when the caller's signal does or when the stream is cancelled. */
  constructor(
    private readonly start: (signal: AbortSignal) => Promise<StreamStart>,
    callerSignal?: AbortSignal,
  ) {
    if (callerSignal?.aborted) this.cancellation.abort();
    else callerSignal?.addEventListener('abort', () => this.cancellation.abort(), { once: true });
  }

  /** Stops the stream: aborts the upstream request (or the attempts still looking for a key) and frees the key. */
  cancel(): void {
    this.cancellation.abort();
    // a stream that failed to start holds no key; one that started is closed, and closing cannot fail the caller
    this.started?.then((start) => start.channel.return()).catch(() => undefined);
  }

  /** Which key serves and after how many attempts; starts the stream if it has not started. */
  get meta(): Promise<AttemptMeta> {
    return this.begin().then((start) => start.meta);
  }

  /** The chunks, as they arrive; starts the stream if it has not started. Throws the pool's typed errors. */
  async *[Symbol.asyncIterator](): AsyncGenerator<ChatCompletionChunk, void, undefined> {
    const { channel, meta } = await this.begin();
    try {
      for (;;) {
        let next: IteratorResult<ChatCompletionChunk>;
        try {
          next = await channel.next();
        } catch (error) {
          throw interrupted(error, meta);
        }
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await channel.return();
    }
  }

  /**
   * The same chunks as a cold-once rxjs Observable, pulled one at a time: the next chunk is read only after the
   * subscriber's `next` has returned, and nothing is read once it unsubscribes (which cancels the upstream request and
   * frees the key, as `cancel()`). The pool itself holds at most the 16 chunks its upstream reader queues ahead; rxjs
   * has no demand signal, so an operator that queues chunks for asynchronous work (`concatMap` over slow writes) holds
   * what it queues: bound it there (Nest's `@Sse()` drops a client past `maxPendingDataLength`), or iterate with
   * `for await`, which pauses the upstream read while the loop is busy.
   */
  toObservable(): Observable<ChatCompletionChunk> {
    return new Observable<ChatCompletionChunk>((subscriber) => {
      const iterator = this[Symbol.asyncIterator]();
      const pump = async (): Promise<void> => {
        // checked before each read: a subscriber that unsubscribed inside `next` is read nothing more
        while (!subscriber.closed) {
          const next = await iterator.next();
          if (next.done) subscriber.complete();
          else subscriber.next(next.value);
        }
      };
      pump().catch((error: unknown) => {
        subscriber.error(error);
      });
      return () => {
        this.cancel();
      };
    });
  }

  private begin(): Promise<StreamStart> {
    this.started ??= this.start(this.cancellation.signal);
    return this.started;
  }
}

function interrupted(error: unknown, meta: AttemptMeta): Error {
  if (!(error instanceof UpstreamError)) return error as Error;
  if (error.outcome.kind === 'aborted') return new RequestAbortedError(meta.trace);
  return new StreamInterruptedError(
    `The stream from key ${error.keyId} broke after content was sent: ${error.message}`,
    error.keyId,
    error.outcome,
    meta.trace,
  );
}
