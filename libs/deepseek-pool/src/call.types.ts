import type { ChatCompletionChunk } from './chat.types.js';
import type { AttemptRecord } from './deepseek-pool.errors.js';
import type { Outcome } from './resilience/outcome.js';

/*
 * What a pool call hands back besides its answer, shared by every layer: how the answer was obtained (AttemptMeta),
 * and the chunks a stream's caller reads (ChunkSource).
 */

/** One continuation of a broken stream, as the caller learns it. */
export interface ContinuationRecord {
  /** The key that continued the stream. */
  keyId: string;
  /** The key whose stream broke. */
  fromKeyId: string;
  /** Characters of content (and of reasoning) the caller had received when the stream broke: where it went on. */
  offset: number;
  /** Characters of reasoning (`reasoning_content`) the caller had received when the stream broke. */
  reasoningOffset: number;
  /** What broke the stream. */
  reason: Outcome['kind'];
}

/** What the caller learns about how its answer was obtained. */
export interface AttemptMeta {
  /** Id of the key that served (never the key itself). */
  keyId: string;
  /** Upstream attempts made, the successful one included. */
  attempts: number;
  /** Every upstream attempt of the call, in order (hedges and continuations included). */
  trace: AttemptRecord[];
  /** Set when the answer did not come fresh from the requested model: which degradation tier served it. */
  degraded?: 'cache' | 'model' | 'fallback';
  /** Streams only: each break after content that another key continued (see `continuation`). */
  continuations?: ContinuationRecord[];
}

/** Which degradation tier served an answer. */
export type DegradedTier = NonNullable<AttemptMeta['degraded']>;

/** What a PoolStream reads: a committed key's channel, or several spliced into one. */
export interface ChunkSource {
  next(): Promise<IteratorResult<ChatCompletionChunk>>;
  return(): Promise<IteratorResult<ChatCompletionChunk>>;
}

/** Why no hedge was sent once the delay passed (`low-yield`: the recent hedges of the call's key did not pay). */
export type HedgeSkip = 'max-attempts' | 'deadline' | 'budget' | 'low-yield' | 'no-candidate' | 'account-limit';
