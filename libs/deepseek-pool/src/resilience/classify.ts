import type { Action, Outcome } from './outcome.js';

const RETURN: Action = Object.freeze({ type: 'return' });
const BREAKER_FAILURE: Action = Object.freeze({ type: 'breaker-failure' });
const ABORT: Action = Object.freeze({ type: 'abort' });
const REVOKED: Action = Object.freeze({ type: 'disable', reason: 'revoked', scope: 'key' });
const FORBIDDEN: Action = Object.freeze({ type: 'disable', reason: 'forbidden', scope: 'key' });
const NO_BALANCE: Action = Object.freeze({ type: 'disable', reason: 'insufficient-balance', scope: 'account' });

/** 4xx statuses that are the upstream's trouble rather than the caller's. */
const UPSTREAM_4XX: ReadonlySet<number> = new Set([404, 408, 409]);

const CONCURRENCY_LIMIT = /concurrency limit of (\d+)/i;

/** Decides what the pool does with one attempt's outcome (see docs/deepseek-api.md, "Errors"). */
export function classify(outcome: Outcome): Action {
  switch (outcome.kind) {
    case 'http':
      return classifyStatus(outcome.status, outcome.retryAfterMs, outcome.message);
    case 'aborted':
      return ABORT;
    case 'timeout':
    case 'network':
    case 'empty-body':
    case 'protocol':
      return BREAKER_FAILURE;
  }
}

/** The account-wide concurrency limit in DeepSeek's 429 message ("...exceeds your concurrency limit of 39..."), if any. */
export function parseConcurrencyLimit(message?: string): number | undefined {
  const match = message === undefined ? null : CONCURRENCY_LIMIT.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** True when the attempt loop should try another key. */
export function isRetryable(action: Action): boolean {
  return action.type === 'disable' || action.type === 'cooldown' || action.type === 'saturated' || action.type === 'breaker-failure';
}

/** True when the outcome is recorded as a failure on the key's circuit breaker. */
export function countsAsBreakerFailure(action: Action): boolean {
  return action.type === 'breaker-failure';
}

function classifyStatus(status: number, retryAfterMs?: number, message?: string): Action {
  switch (status) {
    case 401:
      return REVOKED;
    case 402:
      return NO_BALANCE;
    case 403:
      return FORBIDDEN;
    case 429:
      return rateLimited(retryAfterMs, message);
  }
  const callersFault = status >= 400 && status < 500 && !UPSTREAM_4XX.has(status);
  return callersFault ? RETURN : BREAKER_FAILURE;
}

function rateLimited(retryAfterMs?: number, message?: string): Action {
  const limit = parseConcurrencyLimit(message);
  const action: Action = limit === undefined ? { type: 'cooldown', scope: 'key' } : { type: 'saturated', limit };
  if (retryAfterMs !== undefined) action.floorMs = retryAfterMs;
  return action;
}
