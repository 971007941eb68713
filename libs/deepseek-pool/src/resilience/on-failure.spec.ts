import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  type AttemptRecord,
  DeadlineExceededError,
  RequestAbortedError,
  UpstreamError,
} from '../deepseek-pool.errors.js';
import { keysOf, loopHarness } from './attempt-loop.fixture.js';
import { type FailedFlight, onFailure } from './on-failure.js';
import type { Outcome } from './outcome.js';

const T0 = 1_000_000;

describe('onFailure (fake timers)', () => {
  let harness: ReturnType<typeof loopHarness>;
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    harness = loopHarness({ keys: keysOf(2, () => ({ account: 'A' })) });
  });
  afterEach(() => {
    harness.close();
    jest.useRealTimers();
  });

  /** An attempt on k0 sent 200 ms ago, ended by `outcome`; `hedge`: it was a hedge. */
  function fail(outcome: Outcome, options: { hedge?: boolean; callerDeadlinePassed?: boolean } = {}) {
    const call = harness.call();
    const slot = harness.slot('k0');
    const spans: unknown[] = [];
    const retries: unknown[] = [];
    harness.events.on('retry', (e) => retries.push(e));
    const flight: FailedFlight = {
      slot,
      hedge: options.hedge ?? false,
      startMs: T0 - 200,
      accountInFlightAtSend: 1,
      control: { callerDeadlinePassed: options.callerDeadlinePassed ?? false },
      endSpan: (failure) => spans.push(failure?.action?.type),
    };
    const error = new UpstreamError('failed', outcome, 'k0', undefined);
    let result: unknown;
    try {
      result = onFailure(call, flight, error, harness.deps);
    } catch (thrown) {
      result = thrown;
    }
    return { call, slot, error, result, spans, retries };
  }

  it.each<[string, Outcome, string, 'retry' | 'throws', Partial<AttemptRecord>]>([
    ['429: cooled down, retried elsewhere', { kind: 'http', status: 429 }, 'cooldown', 'retry', { status: 429 }],
    ['401: disabled, retried elsewhere', { kind: 'http', status: 401 }, 'disable', 'retry', { status: 401 }],
    [
      '503: counts against the breaker, retried',
      { kind: 'http', status: 503 },
      'breaker-failure',
      'retry',
      { status: 503 },
    ],
    [
      'a timeout: counts against the breaker, retried',
      { kind: 'timeout', phase: 'first-byte' },
      'breaker-failure',
      'retry',
      {},
    ],
    ["400: the caller's fault, back to the caller", { kind: 'http', status: 400 }, 'return', 'throws', { status: 400 }],
  ])('%s', (_name, outcome, action, verdict, record) => {
    // Act
    const { call, slot, error, result, spans, retries } = fail(outcome);

    // Assert
    expect(call.trace).toEqual([{ keyId: 'k0', outcome: outcome.kind, latencyMs: 200, ...record }]);
    expect(spans).toEqual([action]);
    if (verdict === 'retry') {
      expect(result).toBe(error);
      expect(call.tried.has(slot)).toBe(true);
      expect(retries).toEqual([{ fromKeyId: 'k0', attempt: 1, reason: outcome.kind }]);
    } else {
      expect(result).toBeInstanceOf(UpstreamError);
      expect((result as UpstreamError).attempts).toEqual(call.trace);
      expect(call.tried.size).toBe(0);
      expect(retries).toEqual([]);
    }
  });

  it.each<[string, Outcome, (store: ReturnType<typeof loopHarness>['store']) => unknown, unknown]>([
    ['429 cools the key down', { kind: 'http', status: 429 }, (s) => s.cooldownUntil('key:k0') > T0, true],
    [
      '402 disables every key of the account',
      { kind: 'http', status: 402 },
      (s) => [s.disabled('k0')?.reason, s.disabled('k1')?.reason],
      ['insufficient-balance', 'insufficient-balance'],
    ],
    [
      '400 leaves the key alone',
      { kind: 'http', status: 400 },
      (s) => [s.cooldownUntil('key:k0'), s.disabled('k0')],
      [0, undefined],
    ],
  ])('applies the action to shared state: %s', (_name, outcome, read, expected) => {
    // Act
    fail(outcome);

    // Assert
    expect(read(harness.store)).toEqual(expected);
  });

  it("penalizes a breaker failure's latency, and leaves it for a 429", () => {
    // Act
    const before = harness.slot('k0').latency.value;
    fail({ kind: 'http', status: 429 });
    const after429 = harness.slot('k0').latency.value;
    fail({ kind: 'network', code: 'ECONNRESET' });

    // Assert
    expect(after429).toBe(before);
    expect(harness.slot('k0').latency.value).toBeGreaterThan(after429);
  });

  it('marks a hedge in the trace', () => {
    // Act
    const { call } = fail({ kind: 'http', status: 503 }, { hedge: true });

    // Assert
    expect(call.trace[0].hedge).toBe(true);
  });

  it.each<[string, boolean, unknown]>([
    ['the caller aborted: RequestAbortedError', false, RequestAbortedError],
    ["the caller's deadline passed: DeadlineExceededError", true, DeadlineExceededError],
  ])('ends the call when %s, the key untouched', (_name, callerDeadlinePassed, expected) => {
    // Act
    const { result, call } = fail({ kind: 'aborted' }, { callerDeadlinePassed });

    // Assert
    expect(result).toBeInstanceOf(expected);
    expect(call.tried.size).toBe(0);
    expect(harness.store.cooldownUntil('key:k0')).toBe(0);
  });

  it('hands a local failure back as thrown, recorded as local, the key untouched', () => {
    // Arrange
    const call = harness.call();
    const bug = new TypeError('a bug');
    const flight: FailedFlight = {
      slot: harness.slot('k0'),
      hedge: false,
      startMs: T0 - 5,
      accountInFlightAtSend: 1,
      control: { callerDeadlinePassed: false },
      endSpan: () => undefined,
    };

    // Act / Assert
    expect(() => onFailure(call, flight, bug, harness.deps)).toThrow(bug);
    expect(call.trace).toEqual([{ keyId: 'k0', outcome: 'local', latencyMs: 5 }]);
    expect(call.tried.size).toBe(0);
  });
});
