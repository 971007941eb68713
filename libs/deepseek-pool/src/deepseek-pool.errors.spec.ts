import {
  type AttemptRecord,
  DeepSeekPoolError,
  type DeepSeekPoolErrorCode,
  MissingPeerError,
  NoDegraderError,
  NoPoolError,
  NoValidKeyError,
  RequestAbortedError,
  UnknownKeyError,
  UpstreamError,
  attemptsOf,
  errorMessage,
  retryAfterSeconds,
} from './deepseek-pool.errors.js';
import { DegradedUnavailableError, PoolBreakerOpenError } from './degradation/degradation.errors.js';

const ATTEMPT: AttemptRecord = { keyId: 'k1', outcome: 'http', status: 503, latencyMs: 12 };

describe('retryAfterSeconds', () => {
  it.each<[number | undefined, number]>([
    [undefined, 1],
    [0, 1],
    [1, 1],
    [999, 1],
    [1_000, 1],
    [1_001, 2],
    [29_500, 30],
  ])('%s ms -> %s s', (ms, seconds) => {
    expect(retryAfterSeconds(ms)).toBe(seconds);
  });
});

describe('errorMessage', () => {
  it.each<[string, unknown, string]>([
    ['an Error', new Error('boom'), 'boom'],
    ['a DeepSeekPoolError', new UnknownKeyError('k9'), 'No key with id "k9"'],
    ['a string', 'plain', 'plain'],
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
  ])('%s', (_name, thrown, message) => {
    expect(errorMessage(thrown)).toBe(message);
  });
});

describe('attemptsOf', () => {
  it.each<[string, unknown, readonly AttemptRecord[]]>([
    ['a pool error with attempts', new RequestAbortedError([ATTEMPT]), [ATTEMPT]],
    ['a pool error without attempts', new UnknownKeyError('k1'), []],
    ['a plain Error', Object.assign(new Error('x'), { attempts: [ATTEMPT] }), []],
    ['a non-error', { attempts: [ATTEMPT] }, []],
    ['undefined', undefined, []],
  ])('%s', (_name, thrown, attempts) => {
    expect(attemptsOf(thrown)).toEqual(attempts);
  });
});

describe('error classes', () => {
  it.each<[DeepSeekPoolError, string, DeepSeekPoolErrorCode, RegExp]>([
    [new UnknownKeyError('k1'), 'UnknownKeyError', 'UNKNOWN_KEY', /No key with id "k1"/],
    [new NoValidKeyError('k1 (401 revoked)'), 'NoValidKeyError', 'NO_VALID_KEY', /require-one.*k1 \(401 revoked\)/],
    [new NoDegraderError(), 'NoDegraderError', 'NO_DEGRADER', /DeepSeekDegradationModule/],
    [new NoPoolError('Indicator'), 'NoPoolError', 'NO_POOL', /^Indicator needs DeepSeekPoolModule/],
    [
      new MissingPeerError('Feature', ['a', 'b'], new Error('Cannot find module')),
      'MissingPeerError',
      'MISSING_PEER',
      /^Feature needs a and b installed \(Cannot find module\)$/,
    ],
    [new PoolBreakerOpenError(5_000), 'PoolBreakerOpenError', 'POOL_BREAKER_OPEN', /pool-wide breaker is open/],
    [
      new DegradedUnavailableError({}, 0, undefined, []),
      'DegradedUnavailableError',
      'DEGRADED_UNAVAILABLE',
      /fallback/,
    ],
  ])('%p: its own class, name and code, a DeepSeekPoolError', (error, name, code, message) => {
    expect(error).toBeInstanceOf(DeepSeekPoolError);
    expect(error).toMatchObject({ name, code });
    expect(error.message).toMatch(message);
  });

  it('UnknownKeyError and MissingPeerError carry what they name', () => {
    expect(new UnknownKeyError('k1').keyId).toBe('k1');
    expect(new MissingPeerError('F', ['p'], 'gone').peers).toEqual(['p']);
  });

  it('DegradedUnavailableError carries its retry hint in ms, like every other error', () => {
    const error = new DegradedUnavailableError({ error: {} }, 6_500, new PoolBreakerOpenError(6_500), [ATTEMPT]);
    expect(error).toMatchObject({ status: 503, retryAfterMs: 6_500, attempts: [ATTEMPT] });
    expect(retryAfterSeconds(error.retryAfterMs)).toBe(7);
  });

  it('UpstreamError reports the status of an http outcome only', () => {
    expect(new UpstreamError('x', { kind: 'http', status: 502 }, 'k1', undefined).status).toBe(502);
    expect(new UpstreamError('x', { kind: 'network' }, 'k1', undefined).status).toBeUndefined();
  });
});
