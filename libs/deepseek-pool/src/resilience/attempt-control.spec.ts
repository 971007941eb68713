import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { AttemptControl } from './attempt-control.js';
import { Redactor } from '../redaction/redactor.js';

const clock = { now: () => Date.now() };

/** A control whose attempt may run 10 s and whose caller waits 20 s. */
function control(): AttemptControl {
  return new AttemptControl(clock, undefined, Date.now() + 10_000, Date.now() + 20_000, new Redactor());
}

describe('AttemptControl timers', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('ends a silent attempt when its idle phase runs out', async () => {
    // Arrange
    const attempt = control();
    attempt.arm('idle', 1_000);

    // Act
    await jest.advanceTimersByTimeAsync(999);
    const before = attempt.signal.aborted;
    await jest.advanceTimersByTimeAsync(1);

    // Assert
    expect(before).toBe(false);
    expect(attempt.outcomeOf(new Error('aborted'))).toEqual({ kind: 'timeout', phase: 'idle' });
  });

  it('restarts the idle phase at every re-arm, keeping one timer', async () => {
    // Arrange
    const attempt = control();
    attempt.arm('idle', 1_000);

    // Act: bytes every 600 ms for 3 s, then silence
    for (let i = 0; i < 5; i++) {
      await jest.advanceTimersByTimeAsync(600);
      attempt.arm('idle', 1_000);
    }
    const timers = jest.getTimerCount();
    const afterBytes = attempt.signal.aborted;
    await jest.advanceTimersByTimeAsync(999);
    const beforeSilenceEnds = attempt.signal.aborted;
    await jest.advanceTimersByTimeAsync(1);

    // Assert
    expect(timers).toBe(1);
    expect([afterBytes, beforeSilenceEnds, attempt.signal.aborted]).toEqual([false, false, true]);
  });

  it('still ends a trickling attempt at its total deadline', async () => {
    // Arrange
    const startedMs = Date.now();
    const attempt = control();
    attempt.arm('idle', 1_000);

    // Act: bytes every 500 ms past the 10 s attempt deadline
    for (let i = 0; i < 21 && !attempt.signal.aborted; i++) {
      await jest.advanceTimersByTimeAsync(500);
      attempt.arm('idle', 1_000);
    }

    // Assert
    expect(Date.now() - startedMs).toBe(10_000);
    expect(attempt.outcomeOf(new Error('aborted'))).toEqual({ kind: 'timeout', phase: 'total' });
  });

  it('replaces the idle phase when another phase is armed', async () => {
    // Arrange
    const attempt = control();
    attempt.arm('idle', 1_000);

    // Act
    attempt.arm('first-content', 5_000);
    await jest.advanceTimersByTimeAsync(4_999);
    const before = attempt.signal.aborted;
    await jest.advanceTimersByTimeAsync(1);

    // Assert
    expect(before).toBe(false);
    expect(attempt.outcomeOf(new Error('aborted'))).toEqual({ kind: 'timeout', phase: 'first-content' });
  });

  it('blames the caller, not the key, when the caller deadline ends the attempt first', async () => {
    // Arrange
    const attempt = new AttemptControl(clock, undefined, Date.now() + 10_000, Date.now() + 1_500, new Redactor());
    attempt.arm('idle', 1_000);

    // Act
    await jest.advanceTimersByTimeAsync(900);
    attempt.arm('idle', 1_000);
    await jest.advanceTimersByTimeAsync(600);

    // Assert
    expect(attempt.callerDeadlinePassed).toBe(true);
    expect(attempt.outcomeOf(new Error('aborted'))).toEqual({ kind: 'aborted' });
  });
});
