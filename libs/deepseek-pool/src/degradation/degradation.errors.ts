import { type AttemptRecord, DeepSeekPoolError } from '../deepseek-pool.errors.js';

/**
 * The pool-wide breaker is open: the request was not sent upstream. `retryAfterMs`: time until
 * it lets trial calls through.
 */
export class PoolBreakerOpenError extends DeepSeekPoolError {
  constructor(readonly retryAfterMs: number) {
    super('The pool-wide breaker is open: upstream calls are paused', 'POOL_BREAKER_OPEN');
  }
}

/**
 * The pool could not serve and no tier could answer but the fallback, configured to answer as an error: send `body`
 * with HTTP 503 and `Retry-After: retryAfterSeconds(retryAfterMs)`. `retryAfterMs` is the pool's hint (0 when it has
 * none); `cause` is the pool's error.
 */
export class DegradedUnavailableError extends DeepSeekPoolError {
  readonly status = 503;
  readonly degraded = 'fallback';

  constructor(
    readonly body: unknown,
    readonly retryAfterMs: number,
    override readonly cause: unknown,
    attempts: readonly AttemptRecord[],
  ) {
    super('The pool cannot serve now: answered with the fallback error', 'DEGRADED_UNAVAILABLE', attempts);
  }
}
