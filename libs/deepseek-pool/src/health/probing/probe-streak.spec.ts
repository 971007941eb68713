import { jest } from '@jest/globals';
import { INITIAL_STREAK, KeyStreaks, type ProbeStreak, type StreakAction, nextStreak } from './probe-streak.js';

const T = { unhealthyAfter: 3, healthyAfter: 2 };
const up = (failures = 0): ProbeStreak => ({ down: false, successes: 0, failures });
const down = (successes = 0, failures = 3): ProbeStreak => ({ down: true, successes, failures });

describe('nextStreak', () => {
  it.each<[string, ProbeStreak, 'success' | 'failure' | 'neutral', ProbeStreak, StreakAction]>([
    ['first failure', up(0), 'failure', up(1), undefined],
    ['second failure', up(1), 'failure', up(2), undefined],
    ['third failure in a row: down', up(2), 'failure', { down: true, successes: 0, failures: 3 }, 'mark-down'],
    ['a success resets the failures', up(2), 'success', { down: false, successes: 1, failures: 0 }, undefined],
    ['neutral changes nothing', up(2), 'neutral', up(2), undefined],
    ['down and failing: keep it down', down(0, 3), 'failure', down(0, 4), 'mark-down'],
    ['down, first success', down(0), 'success', { down: true, successes: 1, failures: 0 }, undefined],
    ['down, second success in a row: recovered', down(1, 0), 'success', INITIAL_STREAK, 'recovered'],
    ['down, a failure breaks the success run', down(1, 0), 'failure', down(0, 1), 'mark-down'],
    ['down, neutral keeps the run', down(1, 0), 'neutral', down(1, 0), undefined],
  ])('%s', (_name, before, result, after, action) => {
    expect(nextStreak(before, result, T)).toEqual({ streak: after, action });
  });

  it('with unhealthyAfter 1 a single failure marks down', () => {
    expect(nextStreak(up(0), 'failure', { unhealthyAfter: 1, healthyAfter: 1 }).action).toBe('mark-down');
  });
});

describe('KeyStreaks', () => {
  it('opens the breaker on the third failure and logs the transition once, by id', () => {
    const markKeyDown = jest.fn<(id: string) => void>();
    const warn = jest.fn<(message: string) => void>();
    const streaks = new KeyStreaks(T, { markKeyDown }, { log: jest.fn(), error: jest.fn(), warn }, 'probes');
    for (let i = 0; i < 4; i++) streaks.record('key-1', 'failure');
    expect(markKeyDown.mock.calls).toEqual([['key-1'], ['key-1']]);
    expect(warn.mock.calls).toEqual([['Key key-1 failed 3 probes in a row: marked down']]);
  });
});
