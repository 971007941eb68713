import type { ChatCompletionChunk } from '../chat.types.js';
import type { DegradedTier } from '../call.types.js';
import type { AttemptMeta } from '../call.types.js';
import type { ChunkSource } from '../call.types.js';
import { PoolStream } from './pool-stream.js';

/**
 * A PoolStream through the degradation tiers. `fresh(signal)` opens the plain pool stream; `degrade` passes its chunks
 * through or, when it cannot start, replays a tier's answer (telling `onDegraded` the tier first). `meta` resolves
 * with the first chunk: the fresh stream's, or `{ keyId: '', attempts: 0, trace: [], degraded: tier }`.
 */
export function degradableStream(
  fresh: (signal: AbortSignal) => PoolStream,
  degrade: (
    fresh: AsyncIterable<ChatCompletionChunk>,
    onDegraded: (tier: DegradedTier) => void,
  ) => AsyncIterable<ChatCompletionChunk>,
  callerSignal?: AbortSignal,
): PoolStream {
  return new PoolStream(async (signal) => {
    const stream = fresh(signal);
    let degraded: DegradedTier | undefined;
    const chunks = degrade(stream, (tier) => (degraded = tier))[Symbol.asyncIterator]();
    const first = await chunks.next();
    const meta: AttemptMeta =
      degraded === undefined ? await stream.meta : { keyId: '', attempts: 0, trace: [], degraded };
    return { channel: startingWith(first, chunks), meta };
  }, callerSignal);
}

/** The chunks of `rest` after `first`, already read, as a ChunkSource. */
function startingWith(
  first: IteratorResult<ChatCompletionChunk>,
  rest: AsyncIterator<ChatCompletionChunk>,
): ChunkSource {
  let pending: IteratorResult<ChatCompletionChunk> | undefined = first;
  return {
    next: () => {
      const next = pending;
      pending = undefined;
      return next ? Promise.resolve(next) : rest.next();
    },
    return: async () => {
      pending = undefined;
      return (await rest.return?.()) ?? { done: true, value: undefined };
    },
  };
}
