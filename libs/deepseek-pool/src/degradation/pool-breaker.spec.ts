import { jest } from '@jest/globals';
import {
  type CallVerdict,
  PoolBreaker,
  type PoolBreakerPolicy,
  type PoolBreakerState,
  shouldOpen,
} from './pool-breaker.js';
import { defined } from '../defined.fixture.js';

const POLICY: PoolBreakerPolicy = {
  errorThresholdPercentage: 50,
  windowMs: 60_000,
  buckets: 10,
  minimumVolume: 4,
  resetTimeoutMs: 30_000,
  halfOpenTrials: 2,
};

/** A step of a breaker script: calls that end with a verdict, or time passing. */
type Step = { calls: CallVerdict[] } | { advanceMs: number };

describe('shouldOpen', () => {
  it.each([
    { calls: 0, failures: 0, minimumVolume: 0, expected: false, why: 'no calls, even with no minimum' },
    { calls: 3, failures: 3, minimumVolume: 4, expected: false, why: 'below the minimum volume' },
    { calls: 4, failures: 2, minimumVolume: 4, expected: false, why: 'exactly 50% is not above 50%' },
    { calls: 4, failures: 3, minimumVolume: 4, expected: true, why: '75% over the minimum volume' },
    { calls: 1, failures: 1, minimumVolume: 0, expected: true, why: 'one failure with no minimum' },
    { calls: 100, failures: 51, minimumVolume: 20, expected: true, why: '51% of 100' },
  ])('$why -> $expected', ({ calls, failures, minimumVolume, expected }) => {
    expect(shouldOpen({ calls, failures }, { errorThresholdPercentage: 50, minimumVolume })).toBe(expected);
  });
});

describe('PoolBreaker state machine (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  function breaker(policy: Partial<PoolBreakerPolicy> = {}): { breaker: PoolBreaker; changes: PoolBreakerState[] } {
    const changes: PoolBreakerState[] = [];
    return {
      breaker: new PoolBreaker({ ...POLICY, ...policy }, { now: () => Date.now() }, (state) => changes.push(state)),
      changes,
    };
  }

  function play(target: PoolBreaker, steps: Step[]): void {
    for (const step of steps) {
      if ('advanceMs' in step) jest.advanceTimersByTime(step.advanceMs);
      else
        for (const verdict of step.calls) {
          const permit = target.tryAcquire();
          if (permit) target.record(permit, verdict);
        }
    }
  }

  it.each<{ why: string; steps: Step[]; state: PoolBreakerState; changes: PoolBreakerState[] }>([
    {
      why: 'stays closed below the minimum volume',
      steps: [{ calls: ['failure', 'failure', 'failure'] }],
      state: 'closed',
      changes: [],
    },
    {
      why: 'stays closed at 50% errors',
      steps: [{ calls: ['success', 'failure', 'success', 'failure'] }],
      state: 'closed',
      changes: [],
    },
    {
      why: 'opens above 50% errors with the minimum volume',
      steps: [{ calls: ['success', 'failure', 'failure', 'failure'] }],
      state: 'open',
      changes: ['open'],
    },
    {
      why: 'neutral outcomes count neither way',
      steps: [{ calls: ['neutral', 'neutral', 'failure', 'failure', 'failure'] }],
      state: 'closed',
      changes: [],
    },
    {
      why: 'forgets failures older than the window',
      steps: [{ calls: ['failure', 'failure', 'failure'] }, { advanceMs: 60_000 }, { calls: ['failure', 'success'] }],
      state: 'closed',
      changes: [],
    },
    {
      why: 'is half-open once the reset timeout has elapsed',
      steps: [{ calls: ['failure', 'failure', 'failure', 'failure'] }, { advanceMs: 30_000 }],
      state: 'half-open',
      changes: ['open', 'half-open'],
    },
    {
      why: 'stays open until the reset timeout',
      steps: [{ calls: ['failure', 'failure', 'failure', 'failure'] }, { advanceMs: 29_999 }],
      state: 'open',
      changes: ['open'],
    },
    {
      why: 'closes when every trial call succeeds',
      steps: [
        { calls: ['failure', 'failure', 'failure', 'failure'] },
        { advanceMs: 30_000 },
        { calls: ['success', 'success'] },
      ],
      state: 'closed',
      changes: ['open', 'half-open', 'closed'],
    },
    {
      why: 're-opens when a trial call fails',
      steps: [
        { calls: ['failure', 'failure', 'failure', 'failure'] },
        { advanceMs: 30_000 },
        { calls: ['success', 'failure'] },
      ],
      state: 'open',
      changes: ['open', 'half-open', 'open'],
    },
    {
      why: 'a neutral trial call gives its slot back',
      steps: [
        { calls: ['failure', 'failure', 'failure', 'failure'] },
        { advanceMs: 30_000 },
        { calls: ['neutral', 'success', 'success'] },
      ],
      state: 'closed',
      changes: ['open', 'half-open', 'closed'],
    },
    {
      why: 'starts a fresh window after closing',
      steps: [
        { calls: ['failure', 'failure', 'failure', 'failure'] },
        { advanceMs: 30_000 },
        { calls: ['success', 'success'] },
        { calls: ['failure', 'failure', 'failure'] },
      ],
      state: 'closed',
      changes: ['open', 'half-open', 'closed'],
    },
  ])('$why', ({ steps, state, changes }) => {
    const subject = breaker();
    play(subject.breaker, steps);
    expect(subject.breaker.state).toBe(state);
    expect(subject.changes).toEqual(changes);
  });

  it('admits nothing while open and says when it will try again', () => {
    const { breaker: subject } = breaker();
    play(subject, [{ calls: ['failure', 'failure', 'failure', 'failure'] }, { advanceMs: 10_000 }]);
    expect(subject.tryAcquire()).toBeUndefined();
    expect(subject.retryAfterMs).toBe(20_000);
  });

  it('lets exactly halfOpenTrials calls through while half-open', () => {
    const { breaker: subject } = breaker({ halfOpenTrials: 2 });
    play(subject, [{ calls: ['failure', 'failure', 'failure', 'failure'] }, { advanceMs: 30_000 }]);
    const trials = [subject.tryAcquire(), subject.tryAcquire(), subject.tryAcquire()];
    expect(trials.map((permit) => permit?.trial)).toEqual([true, true, undefined]);
    expect(subject.retryAfterMs).toBe(0);
  });

  it('ignores outcomes of calls admitted before the state changed', () => {
    const { breaker: subject } = breaker();
    const late = defined(subject.tryAcquire());
    play(subject, [{ calls: ['failure', 'failure', 'failure', 'failure'] }, { advanceMs: 30_000 }]);
    const trial = defined(subject.tryAcquire());
    subject.record(late, 'failure');
    expect(subject.state).toBe('half-open');
    subject.record(trial, 'success');
    subject.record(defined(subject.tryAcquire()), 'success');
    expect(subject.state).toBe('closed');
  });

  it('never schedules a timer', () => {
    const { breaker: subject } = breaker();
    play(subject, [{ calls: ['failure', 'failure', 'failure', 'failure'] }]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
