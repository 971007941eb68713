import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import { UpstreamError } from '../deepseek-pool.errors.js';
import type { BreakerPolicy } from './breaker-policy.js';
import { type BreakerState, KeyBreaker } from './key-breaker.js';

const policy: BreakerPolicy = {
  windowMs: 10_000,
  buckets: 10,
  volumeThreshold: 5,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 5_000,
  halfOpenMaxTrials: 3,
  halfOpenSuccessesToClose: 2,
};

const keyFault = new UpstreamError('503', { kind: 'http', status: 503 }, 'k1', undefined);
const callerFault = new UpstreamError('400', { kind: 'http', status: 400 }, 'k1', undefined);

describe('KeyBreaker', () => {
  let rotate: EventEmitter;
  let states: BreakerState[];
  let breaker: KeyBreaker;

  beforeEach(() => {
    jest.useFakeTimers();
    rotate = new EventEmitter();
    states = [];
    breaker = new KeyBreaker(policy, rotate, (state) => states.push(state));
  });

  afterEach(() => {
    breaker.shutdown();
    jest.useRealTimers();
  });

  const fail = (error: Error = keyFault) => breaker.run(() => Promise.reject(error)).catch(() => undefined);
  const succeed = () => breaker.run(() => Promise.resolve('ok'));
  const deferred = () => {
    let settle!: (ok: boolean) => void;
    const done = breaker.run(
      () => new Promise<string>((resolve, reject) => (settle = (ok) => (ok ? resolve('ok') : reject(keyFault)))),
    );
    return { settle, done: done.catch(() => undefined) };
  };

  it('stays closed below the minimum volume, however many of those calls fail', async () => {
    for (let i = 0; i < policy.volumeThreshold - 1; i++) await fail();
    expect(breaker.state).toBe('closed');
  });

  it('opens once the volume is reached and the error rate passes the threshold', async () => {
    await succeed();
    await succeed();
    for (let i = 0; i < 3; i++) await fail();
    expect(breaker.state).toBe('open');
    expect(breaker.admits).toBe(false);
    expect(states).toEqual(['open']);
  });

  it('stays closed at volume when the error rate is under the threshold', async () => {
    for (let i = 0; i < 4; i++) await succeed();
    for (let i = 0; i < 3; i++) await fail();
    expect(breaker.state).toBe('closed');
  });

  it('never counts caller errors (400/422/429) against the key', async () => {
    for (let i = 0; i < 20; i++) await fail(callerFault);
    expect(breaker.state).toBe('closed');
    expect(breaker.window.errorRate).toBe(0);
  });

  it('forgets failures that slid out of the rolling window', async () => {
    for (let i = 0; i < 4; i++) await fail();
    for (let i = 0; i < policy.buckets; i++) rotate.emit('rotate');
    await fail();
    expect(breaker.state).toBe('closed');
  });

  it('judges the error rate on finished calls only: calls still in flight are not successes', async () => {
    const held = Array.from({ length: 6 }, deferred);
    for (let i = 0; i < 5; i++) await fail();
    expect(breaker.state).toBe('open');
    held.forEach((p) => p.settle(true));
    await Promise.all(held.map((p) => p.done));
  });

  describe('half-open', () => {
    beforeEach(async () => {
      for (let i = 0; i < 5; i++) await fail();
      jest.advanceTimersByTime(policy.resetTimeoutMs);
    });

    it('turns half-open after the reset timeout', () => {
      expect(breaker.state).toBe('half-open');
      expect(states).toEqual(['open', 'half-open']);
    });

    it(`admits exactly ${policy.halfOpenMaxTrials} concurrent trial calls`, async () => {
      const trials = [deferred(), deferred(), deferred()];
      expect(breaker.admits).toBe(false);
      trials.forEach((p) => p.settle(true));
      await Promise.all(trials.map((p) => p.done));
    });

    it(`closes after ${policy.halfOpenSuccessesToClose} successful trial calls, not before`, async () => {
      await succeed();
      expect(breaker.state).toBe('half-open');
      await succeed();
      expect(breaker.state).toBe('closed');
      expect(states).toEqual(['open', 'half-open', 'closed']);
    });

    it('closes with an empty window: the first failure after recovery does not re-open it', async () => {
      await succeed();
      await succeed();
      await fail();
      expect(breaker.state).toBe('closed');
      expect(breaker.window).toEqual({ errorRate: 1, calls: 1 });
    });

    it('re-opens on a failed trial call and tries again after another reset timeout', async () => {
      await succeed();
      await fail();
      expect(breaker.state).toBe('open');
      jest.advanceTimersByTime(policy.resetTimeoutMs);
      expect(breaker.state).toBe('half-open');
    });

    it('gives the trial slot back when a trial call fails for a reason that is not the key', async () => {
      const held = [deferred(), deferred()];
      await fail(callerFault);
      expect(breaker.state).toBe('half-open');
      expect(breaker.admits).toBe(true);
      held.forEach((p) => p.settle(true));
      await Promise.all(held.map((p) => p.done));
      expect(breaker.state).toBe('closed');
    });
  });
});
