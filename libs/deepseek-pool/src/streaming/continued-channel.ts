import type { ChunkSource } from '../call.types.js';
import type { ChatCompletionChunk, Usage } from '../chat.types.js';
import type { Received } from './continuation-plan.js';
import { StreamSplice } from './stream-splice.js';

/** A continuation of a broken call: the channel it streams on and what the broken call cost. */
export interface Resumed {
  source: ChunkSource;
  brokenUsage: Usage;
}

/**
 * Called when the current call fails after content reached the caller: resolves with a continuation, with
 * `complete` when the answer was already whole, or throws the error the caller gets.
 */
export type Resume = (failure: unknown, received: Readonly<Received>) => Promise<Resumed | 'complete'>;

/**
 * The caller's view of a stream that may be continued: chunks of the current call pass through a StreamSplice;
 * when the call fails, `resume` finds a continuation and reading goes on from it, as if from one upstream.
 */
export class ContinuedChannel implements ChunkSource {
  private readonly splice = new StreamSplice();
  private closed = false;

  constructor(
    private current: ChunkSource,
    private readonly resume: Resume,
  ) {}

  async next(): Promise<IteratorResult<ChatCompletionChunk>> {
    for (;;) {
      let next: IteratorResult<ChatCompletionChunk>;
      try {
        next = await this.current.next();
      } catch (failure) {
        if (this.closed) throw failure;
        const resumed = await this.resume(failure, this.splice.received);
        if (resumed === 'complete') return { value: undefined, done: true };
        this.current = resumed.source;
        // The caller left while the continuation was being found: stop it at once.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- return() sets it during the await
        if (this.closed) await resumed.source.return();
        this.splice.broke(resumed.brokenUsage);
        continue;
      }
      if (next.done) return next;
      const chunk = this.splice.pass(next.value);
      if (chunk) return { value: chunk, done: false };
    }
  }

  async return(): Promise<IteratorResult<ChatCompletionChunk>> {
    this.closed = true;
    return this.current.return();
  }
}
