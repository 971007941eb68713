import { afterEach, describe, expect, it } from '@jest/globals';
import { type PoolOnMock, startPoolOnMock, until } from './support/pool-on-mock.js';

const messages = [{ role: 'user', content: 'hi' }];
/**
 * Attempts that would otherwise run (and buffer) for 15 s: the limits must end them long before. The margin is wide
 * because a loaded CI machine took 2 s to stream 1 MB through the mock; the outcome (`protocol`, not `timeout`) is
 * what tells the limit ended the attempt.
 */
const TIMEOUTS = { firstByteMs: 15_000, firstContentMs: 15_000, idleMs: 15_000, attemptMs: 15_000 };

describe('an upstream whose body never ends (issue 13, defects 6 and 7)', () => {
  let env: PoolOnMock;

  afterEach(() => env.close());

  it("fails the attempt at limits.maxResponseBytes as the upstream's fault, drops the body and answers from the next key", async () => {
    // Arrange
    env = await startPoolOnMock(
      [
        { key: 'sk-endless-aaaaaaaaaaa01', name: 'endless', endlessBody: true },
        { key: 'sk-endless-bbbbbbbbbbb02', name: 'good' },
      ],
      {
        timeouts: TIMEOUTS,
        limits: { maxResponseBytes: 1024 * 1024 },
      },
    );

    // Act
    const { meta } = await env.pool.chat({ model: 'deepseek-v4-flash', messages });

    // Assert
    expect(meta.trace.map((t) => [t.keyId, t.outcome])).toEqual([
      ['endless', 'protocol'],
      ['good', 'success'],
    ]);
    expect(meta.trace[0].latencyMs).toBeLessThan(TIMEOUTS.attemptMs);
    expect(env.pool.keySnapshot('endless')).toMatchObject({ errorRate: 1, windowCalls: 1 });
    await until(() => env.mock.stats().keys.endless.clientAborts === 1);
  });

  it('fails a stream at limits.maxSseLineBytes when one line never ends, and fails over before the first token', async () => {
    // Arrange
    env = await startPoolOnMock(
      [
        { key: 'sk-endless-ccccccccccc03', name: 'endless-line', endlessLine: true },
        { key: 'sk-endless-ddddddddddd04', name: 'good' },
      ],
      {
        timeouts: TIMEOUTS,
        limits: { maxSseLineBytes: 64 * 1024 },
      },
    );
    const stream = env.pool.stream({ model: 'deepseek-v4-flash', messages, stream: true });

    // Act
    let text = '';
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (typeof content === 'string') text += content;
    }
    const meta = await stream.meta;

    // Assert
    expect(text).toContain('Mock answer from good');
    expect(meta.trace.map((t) => [t.keyId, t.outcome])).toEqual([
      ['endless-line', 'protocol'],
      ['good', 'success'],
    ]);
    expect(meta.trace[0].latencyMs).toBeLessThan(TIMEOUTS.firstContentMs);
    await until(() => env.mock.stats().keys['endless-line'].clientAborts === 1);
  });
});
