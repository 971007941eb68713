import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../chat.types.js';
import type { AttemptMeta, DegradedTier } from '../call.types.js';
import type { CallOptions } from '../resilience/attempt-loop.types.js';

/** A pool answer: the upstream body unchanged, and how it was obtained. */
export interface PoolResult<T> {
  /** The upstream body, unchanged. */
  data: T;
  /** Which key served, after how many attempts, degraded or continued. */
  meta: AttemptMeta;
  /**
   * A fresh non-streaming answer's body as the upstream sent it (without leading keep-alive blank lines): the JSON text
   * `data` was parsed from, for a proxy to send on without serializing `data` again. Absent for degraded answers (built
   * or cached). Stale if `data` is changed: send `data` then.
   */
  bodyText?: string;
}

/** Degradation asked of one call. */
export interface DegradeOptions {
  /**
   * Serve from the degradation tiers (cache, lighter model, fallback) when the pool cannot; needs
   * DeepSeekDegradationModule (else the call throws DeepSeekPoolError `NO_DEGRADER`).
   */
  degrade?: boolean;
  /**
   * With `degrade`: the cache scope of this call (e.g. the signed-in user), instead of the degradation module's
   * extractor.
   */
  tenant?: string;
}

/** Options of one chat call. */
export interface ChatOptions extends CallOptions, DegradeOptions {}

/** Options of one stream call. */
export interface StreamOptions extends CallOptions, DegradeOptions {
  /**
   * `{ enabled: false }`: a break after content ends the stream with StreamInterruptedError instead of being continued.
   */
  continuation?: { enabled?: boolean };
}

/** A plain pool chat call (no degradation): the degrader's way to the request's model or a lighter one. */
export type PoolChatCall = (request: ChatCompletionRequest) => Promise<PoolResult<ChatCompletion>>;

/**
 * The degradation layer the pool calls for `{ degrade: true }`, provided by DeepSeekDegradationModule (under
 * DEEPSEEK_POOL_DEGRADER): wraps a pool call with its tiers.
 */
export interface ChatDegrader {
  /** The tiers around `call(request)`. */
  chat(request: ChatCompletionRequest, options: ChatOptions, call: PoolChatCall): Promise<PoolResult<ChatCompletion>>;
  /**
   * The tiers around a fresh stream: its chunks pass through; when it cannot start, a tier's answer is replayed as
   * chunks, `onDegraded` told the tier before the first one.
   */
  stream(
    request: ChatCompletionRequest,
    options: StreamOptions,
    fresh: AsyncIterable<ChatCompletionChunk>,
    call: PoolChatCall,
    onDegraded: (tier: DegradedTier) => void,
  ): AsyncIterable<ChatCompletionChunk>;
}
