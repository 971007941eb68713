import {
  AttemptsExhaustedError,
  DeadlineExceededError,
  InvalidRequestError,
  NoAvailableKeyError,
  RequestAbortedError,
  StreamInterruptedError,
  UpstreamError,
} from '../deepseek-pool.errors.js';
import { PoolBreakerOpenError } from './degradation.errors.js';
import {
  DEGRADATION_TIERS,
  type DegradationTier,
  type TierContext,
  cannotServe,
  planTiers,
  retryAfterMsOf,
} from './degradation-tiers.js';

const http = (status: number) => new UpstreamError(`HTTP ${status}`, { kind: 'http', status }, 'k1', undefined);

describe('cannotServe', () => {
  it.each<[string, unknown, boolean]>([
    ['no key available', new NoAvailableKeyError('none', 1_000, true), true],
    ['attempts exhausted', new AttemptsExhaustedError('spent', http(503), undefined, []), true],
    ['deadline exceeded', new DeadlineExceededError(1_000, []), true],
    ['pool breaker open', new PoolBreakerOpenError(5_000), true],
    [
      'an invalid request (400 before any call)',
      new InvalidRequestError('messages', 'must be a non-empty array'),
      false,
    ],
    ['an upstream 400', http(400), false],
    ['an upstream 422', http(422), false],
    ['a caller abort', new RequestAbortedError(), false],
    [
      'a stream cut after content',
      new StreamInterruptedError('cut', 'k1', { kind: 'protocol', detail: 'stream cut' }, []),
      false,
    ],
    ['a bug', new TypeError('x is undefined'), false],
  ])('%s -> %s', (_why, error, expected) => {
    expect(cannotServe(error)).toBe(expected);
  });
});

describe('retryAfterMsOf', () => {
  it.each<[string, unknown, number | undefined]>([
    ['no key available', new NoAvailableKeyError('none', 1_500, true), 1_500],
    ['attempts exhausted', new AttemptsExhaustedError('spent', http(503), 2_000, []), 2_000],
    ['pool breaker open', new PoolBreakerOpenError(5_000), 5_000],
    ['deadline exceeded', new DeadlineExceededError(1_000, []), undefined],
  ])('%s', (_why, error, expected) => {
    expect(retryAfterMsOf(error)).toBe(expected);
  });
});

describe('planTiers', () => {
  const all: TierContext = { cacheable: true, hasLighterModels: true, upstreamPaused: false };
  it.each<[string, readonly DegradationTier[], TierContext, DegradationTier[]]>([
    ['every tier, cache first, fallback last', DEGRADATION_TIERS, all, ['cache', 'model', 'fallback']],
    [
      'no cache when the request is not cacheable',
      DEGRADATION_TIERS,
      { ...all, cacheable: false },
      ['model', 'fallback'],
    ],
    [
      'no lighter model when none is configured',
      DEGRADATION_TIERS,
      { ...all, hasLighterModels: false },
      ['cache', 'fallback'],
    ],
    [
      'no lighter model while upstream is paused (breaker open)',
      DEGRADATION_TIERS,
      { ...all, upstreamPaused: true },
      ['cache', 'fallback'],
    ],
    ['the configured order', ['model', 'cache', 'fallback'], all, ['model', 'cache', 'fallback']],
    ['only the configured tiers', ['cache'], all, ['cache']],
    ['nothing left', ['cache', 'model'], { cacheable: false, hasLighterModels: false, upstreamPaused: true }, []],
  ])('%s', (_why, order, context, expected) => {
    expect(planTiers(order, context)).toEqual(expected);
  });
});
