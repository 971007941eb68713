import { afterEach, describe, expect, it } from '@jest/globals';
import type { ChatCompletionChunk } from 'nestjs-deepseek-pool';
import { type PoolOnMock, sleep, startPoolOnMock, until } from './support/pool-on-mock.js';

/** A healthy key streaming 200 chunks as fast as it is read. */
const KEYS = [{ key: 'sk-slowread-aaaaaaaaaa01', name: 'a', reply: 'word '.repeat(200), streamChunks: 200 }];
const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }], stream: true };
const IDLE_MS = 400;

/** Reads one chunk, stops reading for `pauseMs`, then reads the rest; returns the chunks read and how it ended. */
async function readWithPause(
  env: PoolOnMock,
  pauseMs: number,
): Promise<{ chunks: ChatCompletionChunk[]; error?: unknown }> {
  const iterator = env.pool.stream(request)[Symbol.asyncIterator]();
  const chunks: ChatCompletionChunk[] = [];
  try {
    chunks.push((await iterator.next()).value as ChatCompletionChunk);
    await sleep(pauseMs);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) chunks.push(next.value);
    return { chunks };
  } catch (error) {
    return { chunks, error };
  }
}

describe('a stream reader that stops reading (issue 13, defect 2)', () => {
  let env: PoolOnMock;

  afterEach(() => env.close());

  it('never gets the healthy key timed out: the idle clock stands still while the reader is away', async () => {
    // Arrange
    env = await startPoolOnMock(KEYS, { timeouts: { idleMs: IDLE_MS, firstContentMs: 5_000 } });

    // Act: away for 5 idle periods
    const { chunks, error } = await readWithPause(env, 5 * IDLE_MS);

    // Assert
    expect(error).toBeUndefined();
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    await until(() => env.pool.snapshot().keys[0].inFlight === 0);
    expect(env.pool.snapshot().keys[0]).toMatchObject({ state: 'ready', errorRate: 0, windowCalls: 1 });
  });

  it("ends the stream as the caller's fault after limits.maxClientStallMs, the key untouched", async () => {
    // Arrange
    env = await startPoolOnMock(KEYS, {
      timeouts: { idleMs: IDLE_MS, firstContentMs: 5_000 },
      limits: { maxClientStallMs: 3 * IDLE_MS },
    });

    // Act
    const { error } = await readWithPause(env, 8 * IDLE_MS);

    // Assert
    expect(error).toMatchObject({ name: 'ClientStalledError', code: 'CLIENT_STALLED' });
    await until(() => env.pool.snapshot().keys[0].inFlight === 0);
    expect(env.pool.snapshot().keys[0]).toMatchObject({ state: 'ready', errorRate: 0 });
  });
});
