import { describe, expect, it } from '@jest/globals';
import { UpstreamError } from '../deepseek-pool.errors.js';
import { classify, countsAsBreakerFailure, isKeyFault, isRetryable, parseConcurrency429 } from './classify.js';
import type { Action, Outcome } from './outcome.js';

const CONCURRENCY_429 =
  'Your current concurrency is 40, which exceeds your concurrency limit of 39 based on your remaining balance. Please top up...';

describe('classify', () => {
  it.each<[string, Outcome, Action]>([
    ['returns a 400 to the caller', { kind: 'http', status: 400 }, { type: 'return' }],
    ['returns a 413 to the caller', { kind: 'http', status: 413 }, { type: 'return' }],
    ['returns a 422 to the caller', { kind: 'http', status: 422 }, { type: 'return' }],
    ['returns an unlisted 4xx to the caller', { kind: 'http', status: 418 }, { type: 'return' }],
    [
      'disables a revoked key on 401',
      { kind: 'http', status: 401 },
      { type: 'disable', reason: 'revoked', scope: 'key' },
    ],
    [
      'disables a forbidden key on 403',
      { kind: 'http', status: 403 },
      { type: 'disable', reason: 'forbidden', scope: 'key' },
    ],
    [
      'disables the whole account on 402',
      { kind: 'http', status: 402, message: 'Insufficient Balance' },
      { type: 'disable', reason: 'insufficient-balance', scope: 'account' },
    ],
    [
      'cools only the key on a plain 429',
      { kind: 'http', status: 429, message: 'Rate limit reached' },
      { type: 'cooldown', scope: 'key' },
    ],
    [
      'cools a key down for at least Retry-After',
      { kind: 'http', status: 429, retryAfterMs: 2_000 },
      { type: 'cooldown', scope: 'key', floorMs: 2_000 },
    ],
    [
      'reads the concurrency 429 as a full account with the limit it states, not as a rate limit',
      { kind: 'http', status: 429, message: CONCURRENCY_429 },
      { type: 'saturated', limit: 39, current: 40 },
    ],
    [
      'keeps Retry-After as the floor on the concurrency 429',
      { kind: 'http', status: 429, message: CONCURRENCY_429, retryAfterMs: 500 },
      { type: 'saturated', limit: 39, current: 40, floorMs: 500 },
    ],
    ['counts a 404 against the breaker', { kind: 'http', status: 404 }, { type: 'breaker-failure' }],
    ['counts a 408 against the breaker', { kind: 'http', status: 408 }, { type: 'breaker-failure' }],
    ['counts a 409 against the breaker', { kind: 'http', status: 409 }, { type: 'breaker-failure' }],
    ['counts a 500 against the breaker', { kind: 'http', status: 500 }, { type: 'breaker-failure' }],
    ['counts a 502 against the breaker', { kind: 'http', status: 502 }, { type: 'breaker-failure' }],
    ['counts a 503 against the breaker', { kind: 'http', status: 503 }, { type: 'breaker-failure' }],
    ['counts a 504 against the breaker', { kind: 'http', status: 504 }, { type: 'breaker-failure' }],
    [
      'counts a first-byte timeout against the breaker',
      { kind: 'timeout', phase: 'first-byte' },
      { type: 'breaker-failure' },
    ],
    [
      'counts a first-content timeout against the breaker',
      { kind: 'timeout', phase: 'first-content' },
      { type: 'breaker-failure' },
    ],
    ['counts an idle timeout against the breaker', { kind: 'timeout', phase: 'idle' }, { type: 'breaker-failure' }],
    ['counts a total timeout against the breaker', { kind: 'timeout', phase: 'total' }, { type: 'breaker-failure' }],
    [
      'counts a refused connection against the breaker',
      { kind: 'network', code: 'ECONNREFUSED' },
      { type: 'breaker-failure' },
    ],
    ['counts a network error without code against the breaker', { kind: 'network' }, { type: 'breaker-failure' }],
    ['counts a 200 of blank lines against the breaker', { kind: 'empty-body' }, { type: 'breaker-failure' }],
    [
      'counts a cut stream against the breaker',
      { kind: 'protocol', detail: 'stream ended without [DONE]' },
      { type: 'breaker-failure' },
    ],
    ['aborts without penalty when the caller aborted', { kind: 'aborted' }, { type: 'abort' }],
    [
      'hands a local failure back without penalty or retry',
      { kind: 'local', detail: 'Maximum call stack size exceeded' },
      { type: 'local-failure' },
    ],
  ])('%s', (_name, outcome, expected) => {
    // Act
    const action = classify(outcome);

    // Assert
    expect(action).toEqual(expected);
  });
});

describe('parseConcurrency429', () => {
  it.each<[string, string | undefined, { limit: number; current?: number } | undefined]>([
    [
      "reads the limit and the current count from DeepSeek's concurrency message",
      CONCURRENCY_429,
      { limit: 39, current: 40 },
    ],
    [
      'reads large numbers',
      'Your current concurrency is 2501, which exceeds your concurrency limit of 2500',
      { limit: 2500, current: 2501 },
    ],
    ['reads a limit stated without the current count', 'You exceeded your concurrency limit of 8', { limit: 8 }],
    ['ignores a current count stated without a limit', 'Your current concurrency is 9', undefined],
    ['ignores a rate-limit message without a limit', 'Rate limit reached for requests', undefined],
    ['ignores an empty message', '', undefined],
    ['ignores a missing message', undefined, undefined],
  ])('%s', (_name, message, expected) => {
    // Act
    const numbers = parseConcurrency429(message);

    // Assert
    expect(numbers).toEqual(expected);
  });
});

describe('isRetryable and countsAsBreakerFailure', () => {
  it.each<[Action, boolean, boolean]>([
    [{ type: 'return' }, false, false],
    [{ type: 'disable', reason: 'revoked', scope: 'key' }, true, false],
    [{ type: 'cooldown', scope: 'account' }, true, false],
    [{ type: 'saturated', limit: 39 }, true, false],
    [{ type: 'breaker-failure' }, true, true],
    [{ type: 'abort' }, false, false],
    [{ type: 'local-failure' }, false, false],
  ])('%o: retryable %s, breaker failure %s', (action, retryable, breakerFailure) => {
    // Act
    const result = [isRetryable(action), countsAsBreakerFailure(action)];

    // Assert
    expect(result).toEqual([retryable, breakerFailure]);
  });
});

describe('isKeyFault', () => {
  const upstream = (outcome: Outcome) => new UpstreamError('failed', outcome, 'k1', undefined);

  it.each<[string, unknown, boolean]>([
    ['a 503', upstream({ kind: 'http', status: 503 }), true],
    ['a 404 (the upstream trouble)', upstream({ kind: 'http', status: 404 }), true],
    ['a timeout', upstream({ kind: 'timeout', phase: 'idle' }), true],
    ['a reset', upstream({ kind: 'network', code: 'ECONNRESET' }), true],
    ['a blank 200 body', upstream({ kind: 'empty-body' }), true],
    ['a 400 (the caller)', upstream({ kind: 'http', status: 400 }), false],
    ['a 429', upstream({ kind: 'http', status: 429 }), false],
    ['a 401', upstream({ kind: 'http', status: 401 }), false],
    ['an abort', upstream({ kind: 'aborted' }), false],
    ['a local failure', upstream({ kind: 'local', detail: 'bug' }), false],
    ['a plain Error', new Error('503'), false],
    ['an object that claims to be', { countsAsBreakerFailure: true }, false],
  ])('%s: %p', (_name, error, keyFault) => {
    expect(isKeyFault(error)).toBe(keyFault);
  });
});
