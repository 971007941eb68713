import { jest } from '@jest/globals';
import type { ChatCompletionChunk } from '../chat.types.js';
import type { DegradedTier } from '../call.types.js';
import type { AttemptMeta } from '../call.types.js';
import { degradableStream } from './degradable-stream.js';
import { PoolStream } from './pool-stream.js';

const chunk = (content: string): ChatCompletionChunk => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'deepseek-v4-flash',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});
const FRESH_META: AttemptMeta = { keyId: 'k1', attempts: 2, trace: [] };

/** A fresh pool stream of `contents`; `started` records whether it ever started. */
function freshStream(contents: string[], started: { value: boolean }): (signal: AbortSignal) => PoolStream {
  return (signal) =>
    new PoolStream(() => {
      started.value = true;
      const items = contents.map(chunk);
      return Promise.resolve({
        channel: {
          next: () =>
            Promise.resolve(
              items.length > 0
                ? { done: false, value: items.shift() as ChatCompletionChunk }
                : { done: true, value: undefined },
            ),
          return: () => Promise.resolve({ done: true, value: undefined }),
        },
        meta: FRESH_META,
      });
    }, signal);
}

async function read(stream: AsyncIterable<ChatCompletionChunk>): Promise<unknown[]> {
  const contents: unknown[] = [];
  for await (const next of stream) contents.push(next.choices[0].delta.content ?? '');
  return contents;
}

describe('degradableStream', () => {
  it('passes the fresh stream through, first chunk included, with its meta', async () => {
    const started = { value: false };
    const stream = degradableStream(freshStream(['a', 'b', 'c'], started), (fresh) => fresh);

    await expect(read(stream)).resolves.toEqual(['a', 'b', 'c']);
    await expect(stream.meta).resolves.toBe(FRESH_META);
  });

  it.each<DegradedTier>(['cache', 'model', 'fallback'])(
    'a degraded start: the tier answer, meta marked %s, the fresh stream never started',
    async (tier) => {
      const started = { value: false };
      const stream = degradableStream(freshStream(['x'], started), (_fresh, onDegraded) =>
        (async function* () {
          onDegraded(tier);
          yield await Promise.resolve(chunk('from the tier'));
        })(),
      );

      await expect(read(stream)).resolves.toEqual(['from the tier']);
      await expect(stream.meta).resolves.toEqual({ keyId: '', attempts: 0, trace: [], degraded: tier });
      expect(started.value).toBe(false);
    },
  );

  it('rejects meta and iteration alike when the degrader throws before the first chunk', async () => {
    const failure = new Error('no tier could answer');
    const stream = degradableStream(freshStream([], { value: false }), () =>
      (async function* (): AsyncGenerator<ChatCompletionChunk> {
        yield* [];
        await Promise.reject(failure);
      })(),
    );

    await expect(read(stream)).rejects.toBe(failure);
    await expect(stream.meta).rejects.toBe(failure);
  });

  it('a reader that stops early closes the degrader, which closes the fresh stream', async () => {
    const closed = jest.fn();
    const stream = degradableStream(freshStream(['a', 'b'], { value: false }), (fresh) =>
      (async function* () {
        try {
          yield* fresh;
        } finally {
          closed();
        }
      })(),
    );

    for await (const next of stream) if (next.choices[0].delta.content === 'a') break;

    expect(closed).toHaveBeenCalledTimes(1);
  });
});
