import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { take } from 'rxjs';
import type { ChatCompletionChunk } from '../chat.types.js';
import type { AttemptMeta, ChunkSource } from '../call.types.js';
import { PoolStream } from './pool-stream.js';

const meta: AttemptMeta = { keyId: 'a', attempts: 1, trace: [] };

function chunk(index: number): ChatCompletionChunk {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'deepseek-v4-flash',
    choices: [{ index: 0, delta: { content: String(index) }, finish_reason: null }],
  };
}

/** An endless source that counts the chunks read from it and whether it was closed. */
function countingSource(): ChunkSource & { reads: number; closed: boolean } {
  return {
    reads: 0,
    closed: false,
    next() {
      this.reads += 1;
      return Promise.resolve({ value: chunk(this.reads), done: false });
    },
    return() {
      this.closed = true;
      return Promise.resolve({ value: undefined, done: true });
    },
  };
}

function streamOver(source: ChunkSource): { stream: PoolStream; signal: () => AbortSignal | undefined } {
  let seen: AbortSignal | undefined;
  const stream = new PoolStream((signal) => {
    seen = signal;
    return Promise.resolve({ channel: source, meta });
  });
  return { stream, signal: () => seen };
}

const settle = () => jest.advanceTimersByTimeAsync(0);

describe('PoolStream.toObservable (pull after next)', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('reads the next chunk only after the subscriber has handled the previous one', async () => {
    const source = countingSource();
    const readsSeen: number[] = [];
    const { stream } = streamOver(source);
    stream
      .toObservable()
      .pipe(take(5))
      .subscribe(() => readsSeen.push(source.reads));
    await settle();
    expect(readsSeen).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads nothing more once the subscriber unsubscribes inside next, and closes the source', async () => {
    const source = countingSource();
    const { stream, signal } = streamOver(source);
    stream.toObservable().pipe(take(3)).subscribe();
    await settle();
    expect(source.reads).toBe(3);
    expect(source.closed).toBe(true);
    expect(signal()?.aborted).toBe(true);
  });
});
