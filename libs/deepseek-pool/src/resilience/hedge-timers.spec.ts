import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { LatencyClass } from './answer-times.js';
import { useFakeTimersWithRealImmediates } from '../fake-timers.fixture.js';
import { HedgeTimers, type PendingHedge } from './hedge-timers.js';

/** A class whose delay is `model` ms (read again at every check, so a test can change it). */
const classOf = (model: string): LatencyClass => ({ stream: false, model, tokens: '' });

describe('HedgeTimers (fake timers)', () => {
  let delays: Map<string, number>;
  let timers: HedgeTimers;
  let fired: string[];
  beforeEach(() => {
    useFakeTimersWithRealImmediates();
    delays = new Map();
    const clock = { now: () => Date.now() };
    const delayOf = ({ latencyClass }: PendingHedge) => delays.get(latencyClass.model) ?? Number(latencyClass.model);
    timers = new HedgeTimers(clock, (pending, nowMs) => pending.fromMs + delayOf(pending) - nowMs);
    fired = [];
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  /** Starts a wait of class `delay`, named `name` in `fired`. */
  const start = (name: string, delay: string) =>
    timers.start(classOf(delay), Date.now(), () => fired.push(`${name}@${Date.now()}`));

  it('calls each wait back at its delay, in order, with one Node timer for all of them', async () => {
    // Arrange
    const t0 = Date.now();
    start('a', '10');
    await jest.advanceTimersByTimeAsync(3);
    start('b', '10');
    start('c', '10');

    // Act
    const pendingTimers = jest.getTimerCount();
    await jest.advanceTimersByTimeAsync(20);

    // Assert
    expect(pendingTimers).toBe(1);
    expect(fired).toEqual([`a@${t0 + 10}`, `b@${t0 + 13}`, `c@${t0 + 13}`]);
  });

  it('never calls back a cancelled wait, and the others still come on time', async () => {
    // Arrange
    const t0 = Date.now();
    const a = start('a', '10');
    start('b', '12');
    const c = start('c', '14');

    // Act
    a.cancel();
    await jest.advanceTimersByTimeAsync(13);
    c.cancel();
    await jest.advanceTimersByTimeAsync(20);

    // Assert
    expect(fired).toEqual([`b@${t0 + 12}`]);
  });

  it('sets its timer earlier for a wait that comes due before the first listed', async () => {
    // Arrange
    const t0 = Date.now();
    start('slow', '100');

    // Act
    start('fast', '5');
    await jest.advanceTimersByTimeAsync(200);

    // Assert
    expect(fired).toEqual([`fast@${t0 + 5}`, `slow@${t0 + 100}`]);
  });

  it('checks a wait again later when its delay grew, without holding back a wait due before it', async () => {
    // Arrange: 'a' is checked at 10 ms, when its delay has become 30; 'b' is due at 15.
    const t0 = Date.now();
    delays.set('a', 10);
    start('a', 'a');
    start('b', '15');

    // Act
    await jest.advanceTimersByTimeAsync(9);
    delays.set('a', 30);
    await jest.advanceTimersByTimeAsync(40);

    // Assert
    expect(fired).toEqual([`b@${t0 + 15}`, `a@${t0 + 30}`]);
  });

  it('calls a wait back at once when its delay has passed already', () => {
    // Act
    start('late', '0');

    // Assert
    expect(fired).toEqual([`late@${Date.now()}`]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('calls back the waits due together in one later turn, skipping those cancelled in between', async () => {
    // Arrange
    start('a', '10');
    const b = start('b', '10');
    start('c', '10');

    // Act: the timer runs; the immediate waits for the real loop's turn.
    jest.advanceTimersByTime(10);
    const beforeTheTurn = [...fired];
    b.cancel();
    await jest.advanceTimersByTimeAsync(0);

    // Assert
    expect(beforeTheTurn).toEqual([]);
    expect(fired.map((entry) => entry.split('@')[0])).toEqual(['a', 'c']);
  });
});
