import { UpstreamError } from '../deepseek-pool.errors.js';
import type { Action, Outcome } from './outcome.js';

const RETURN: Action = Object.freeze({ type: 'return' });
const BREAKER_FAILURE: Action = Object.freeze({ type: 'breaker-failure' });
const ABORT: Action = Object.freeze({ type: 'abort' });
const LOCAL_FAILURE: Action = Object.freeze({ type: 'local-failure' });
const REVOKED: Action = Object.freeze({ type: 'disable', reason: 'revoked', scope: 'key' });
const FORBIDDEN: Action = Object.freeze({ type: 'disable', reason: 'forbidden', scope: 'key' });
const NO_BALANCE: Action = Object.freeze({ type: 'disable', reason: 'insufficient-balance', scope: 'account' });

/** 4xx statuses that are the upstream's trouble rather than the caller's. */
const UPSTREAM_4XX: ReadonlySet<number> = new Set([404, 408, 409]);

const CONCURRENCY_LIMIT = /concurrency limit of (\d+)/i;
const CURRENT_CONCURRENCY = /current concurrency is (\d+)/i;

/** Decides what the pool does with one attempt's outcome (see docs/deepseek-api.md, "Errors"). */
export function classify(outcome: Outcome): Action {
  switch (outcome.kind) {
    case 'http':
      return classifyStatus(outcome.status, outcome.retryAfterMs, outcome.message);
    case 'aborted':
      return ABORT;
    case 'local':
      return LOCAL_FAILURE;
    case 'timeout':
    case 'network':
    case 'empty-body':
    case 'protocol':
      return BREAKER_FAILURE;
  }
}

/**
 * The numbers of DeepSeek's concurrency 429 ("Your current concurrency is 40, which exceeds your concurrency limit of
 * 39..."): the account's `limit` and, when stated, its `current` in-flight count upstream (this request included).
 */
export function parseConcurrency429(message?: string): { limit: number; current?: number } | undefined {
  if (message === undefined) return undefined;
  const limit = CONCURRENCY_LIMIT.exec(message);
  if (!limit) return undefined;
  const current = CURRENT_CONCURRENCY.exec(message);
  return current ? { limit: Number(limit[1]), current: Number(current[1]) } : { limit: Number(limit[1]) };
}

/** True when the attempt loop should try another key. */
export function isRetryable(action: Action): boolean {
  return (
    action.type === 'disable' ||
    action.type === 'cooldown' ||
    action.type === 'saturated' ||
    action.type === 'breaker-failure'
  );
}

/** True when the outcome is recorded as a failure on the key's circuit breaker. */
export function countsAsBreakerFailure(action: Action): boolean {
  return action.type === 'breaker-failure';
}

/**
 * True when a thrown error is the key's own fault (an UpstreamError whose outcome counts on its breaker: 5xx,
 * timeouts, resets, broken bodies); caller errors, 429s, aborts and local failures are not.
 */
export function isKeyFault(error: unknown): boolean {
  return error instanceof UpstreamError && countsAsBreakerFailure(classify(error.outcome));
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
  const full = parseConcurrency429(message);
  const action: Action = full === undefined ? { type: 'cooldown', scope: 'key' } : { type: 'saturated', ...full };
  if (retryAfterMs !== undefined) action.floorMs = retryAfterMs;
  return action;
}
