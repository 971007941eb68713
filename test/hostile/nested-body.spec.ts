import { afterEach, describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from 'nestjs-deepseek-pool';
import { type PoolOnMock, nestedArrays, startPoolOnMock } from './support/pool-on-mock.js';

const KEYS = [
  { key: 'sk-nested-aaaaaaaaaaaa01', name: 'a' },
  { key: 'sk-nested-bbbbbbbbbbbb02', name: 'b' },
  { key: 'sk-nested-cccccccccccc03', name: 'c' },
];
const messages = [{ role: 'user', content: 'hi' }];

describe('a request body nested too deep to serialize (issue 13, defect 1)', () => {
  let env: PoolOnMock;

  afterEach(() => env.close());

  it.each([false, true])(
    "is the caller's InvalidRequestError before any upstream call, and opens no breaker (stream: %s)",
    async (stream) => {
      // Arrange: 3 keys, breakers that would open after 5 failures
      env = await startPoolOnMock(KEYS, { breaker: { volumeThreshold: 5 } });
      const body = { model: 'deepseek-v4-flash', messages, x: nestedArrays(5_000) };

      // Act: more nested requests than it takes to open every breaker
      const errors: unknown[] = [];
      for (let i = 0; i < 8; i++) {
        errors.push(
          await (
            stream
              ? (async () => {
                  for await (const _chunk of env.pool.stream({ ...body, stream: true }));
                })()
              : env.pool.chat(body)
          ).catch((e: unknown) => e),
        );
      }
      const after = await env.pool.chat({ model: 'deepseek-v4-flash', messages });

      // Assert
      for (const error of errors) {
        expect(error).toBeInstanceOf(InvalidRequestError);
        expect(error).toMatchObject({ field: 'body', attempts: [] });
      }
      expect(Object.values(env.mock.stats().keys).map((k) => k.requests.chat)).toEqual([1, 0, 0]);
      expect(env.pool.snapshot().keys.map((k) => [k.id, k.state, k.windowCalls])).toEqual([
        ['a', 'ready', 1],
        ['b', 'ready', 0],
        ['c', 'ready', 0],
      ]);
      expect(after.meta).toMatchObject({ keyId: 'a', attempts: 1 });
    },
  );
});
