import { type AttemptRecord, DeepSeekPoolError } from '../deepseek-pool.errors.js';

/**
 * The pool-wide breaker is open: the request was not sent upstream. `retryAfterMs`: time until
 * it lets trial calls through.
 */
export class PoolBreakerOpenError extends DeepSeekPoolError {
  constructor(
    /** Ms until the pool-wide breaker lets trial calls through. */
    readonly retryAfterMs: number,
  ) {
    super('The pool-wide breaker is open: upstream calls are paused', 'POOL_BREAKER_OPEN');
  }
}

/**
 * The pool could not serve and no tier could answer but the fallback, configured to answer as an error: send `body`
 * with HTTP 503 and `Retry-After: retryAfterSeconds(retryAfterMs)`. `retryAfterMs` is the pool's hint (0 when it has
 * none); `cause` is the pool's error.
 */
export class DegradedUnavailableError extends DeepSeekPoolError {
  /** HTTP status to answer with: 503. */
  readonly status = 503;
  /** The degradation tier that answered: `fallback`. */
  readonly degraded = 'fallback';

  constructor(
    /** Body to send: the configured fallback error envelope. */
    readonly body: unknown,
    /** The pool's retry hint, ms (0 when it has none). */
    readonly retryAfterMs: number,
    /** The pool's error that led to the fallback. */
    override readonly cause: unknown,
    attempts: readonly AttemptRecord[],
  ) {
    super('The pool cannot serve now: answered with the fallback error', 'DEGRADED_UNAVAILABLE', attempts);
  }
}
