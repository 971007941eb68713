import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { AttemptControl } from './attempt-control.js';
import { Redactor } from '../redaction/redactor.js';
import { UpstreamError } from '../deepseek-pool.errors.js';

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
    const before = attempt.abortHandle.aborted;
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
    const afterBytes = attempt.abortHandle.aborted;
    await jest.advanceTimersByTimeAsync(999);
    const beforeSilenceEnds = attempt.abortHandle.aborted;
    await jest.advanceTimersByTimeAsync(1);

    // Assert
    expect(timers).toBe(1);
    expect([afterBytes, beforeSilenceEnds, attempt.abortHandle.aborted]).toEqual([false, false, true]);
  });

  it('still ends a trickling attempt at its total deadline', async () => {
    // Arrange
    const startedMs = Date.now();
    const attempt = control();
    attempt.arm('idle', 1_000);

    // Act: bytes every 500 ms past the 10 s attempt deadline
    for (let i = 0; i < 21 && !attempt.abortHandle.aborted; i++) {
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
    const before = attempt.abortHandle.aborted;
    await jest.advanceTimersByTimeAsync(1);

    // Assert
    expect(before).toBe(false);
    expect(attempt.outcomeOf(new Error('aborted'))).toEqual({ kind: 'timeout', phase: 'first-content' });
  });

  it.each<[string, number, number, number]>([
    ['a later idle end (the usual case) keeps the first-byte timer', 1_000, 1_500, 1],
    ['an earlier idle end sets a new timer', 1_000, 200, 2],
  ])('moving from first-byte to idle: %s', async (_, firstByteMs, idleMs, timersSet) => {
    // Arrange
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    const attempt = control();
    attempt.arm('first-byte', firstByteMs);

    // Act: the headers arrive after 100 ms
    await jest.advanceTimersByTimeAsync(100);
    attempt.arm('idle', idleMs);
    const set = setTimeoutSpy.mock.calls.length;
    await jest.advanceTimersByTimeAsync(idleMs - 1);
    const before = attempt.abortHandle.aborted;
    await jest.advanceTimersByTimeAsync(1);
    setTimeoutSpy.mockRestore();

    // Assert
    expect(set).toBe(timersSet);
    expect(before).toBe(false);
    expect(attempt.outcomeOf(new Error('aborted'))).toEqual({ kind: 'timeout', phase: 'idle' });
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

/** Node timers that keep the process alive (real timers). */
const refTimers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('AttemptControl and the process (real timers)', () => {
  it('arms its phase timer without keeping the process alive: the exchange it guards does', () => {
    // Arrange
    const attempt = control();
    const before = refTimers();

    // Act
    attempt.arm('first-byte', 30_000);
    const armed = refTimers();
    attempt.dispose();

    // Assert
    expect(armed).toBe(before);
  });
});

describe('AttemptControl while the caller is not reading', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('stops the idle clock during a pause and runs only what was left of it after', async () => {
    // Arrange
    const attempt = control();
    attempt.arm('idle', 1_000);
    await jest.advanceTimersByTimeAsync(400);

    // Act: the caller stops reading for 5 s, then reads again
    attempt.pause(60_000, () => undefined);
    await jest.advanceTimersByTimeAsync(5_000);
    const afterPause = attempt.abortHandle.aborted;
    attempt.resume();
    await jest.advanceTimersByTimeAsync(599);
    const beforeRestRuns = attempt.abortHandle.aborted;
    await jest.advanceTimersByTimeAsync(1);

    // Assert
    expect([afterPause, beforeRestRuns, attempt.abortHandle.aborted]).toEqual([false, false, true]);
    expect(attempt.outcomeOf(new Error('aborted'))).toEqual({ kind: 'timeout', phase: 'idle' });
  });

  it("moves the attempt deadline by the pause, so a slow reader never spends the key's total time", async () => {
    // Arrange: a 10 s attempt, the caller waits 20 s
    const startedMs = Date.now();
    const attempt = control();
    attempt.arm('idle', 1_000);

    // Act: 8 s of pauses interleaved with chunks, then chunks until the moved deadline
    for (let i = 0; i < 8; i++) {
      attempt.pause(60_000, () => undefined);
      await jest.advanceTimersByTimeAsync(1_000);
      attempt.resume();
      attempt.arm('idle', 1_000);
    }
    const afterPauses = attempt.abortHandle.aborted;
    for (let i = 0; i < 30 && !attempt.abortHandle.aborted; i++) {
      await jest.advanceTimersByTimeAsync(500);
      attempt.arm('idle', 1_000);
    }

    // Assert: 8 s paused + 10 s running, under the caller's 20 s
    expect(afterPauses).toBe(false);
    expect(Date.now() - startedMs).toBe(18_000);
    expect(attempt.outcomeOf(new Error('aborted'))).toEqual({ kind: 'timeout', phase: 'total' });
  });

  it("ends the attempt as the caller's fault when the caller stays away past the stall bound", async () => {
    // Arrange
    const attempt = control();
    attempt.arm('idle', 1_000);
    let stalled = 0;

    // Act
    attempt.pause(3_000, () => stalled++);
    await jest.advanceTimersByTimeAsync(2_999);
    const before = [attempt.abortHandle.aborted, stalled];
    await jest.advanceTimersByTimeAsync(1);

    // Assert
    expect(before).toEqual([false, 0]);
    expect([attempt.abortHandle.aborted, stalled]).toEqual([true, 1]);
    expect(attempt.outcomeOf(new Error('aborted'))).toEqual({ kind: 'aborted' });
  });

  it('leaves no timer behind once disposed during a pause', () => {
    // Arrange
    const attempt = control();
    attempt.arm('idle', 1_000);
    attempt.pause(3_000, () => undefined);

    // Act
    attempt.dispose();

    // Assert
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('AttemptControl.outcomeOf', () => {
  it.each<[string, unknown, object]>([
    [
      'a network failure, by its code',
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      { kind: 'network', code: 'ECONNRESET' },
    ],
    ['a blank 200 body', Object.assign(new Error('blank'), { code: 'EMPTY_BODY' }), { kind: 'empty-body' }],
    [
      'a malformed body',
      Object.assign(new Error('bad json'), { code: 'MALFORMED_BODY' }),
      { kind: 'protocol', detail: 'bad json' },
    ],
    [
      'a body over its limit',
      Object.assign(new Error('too large'), { code: 'RESPONSE_TOO_LARGE' }),
      { kind: 'protocol', detail: 'too large' },
    ],
    [
      'a stack overflow of this process',
      new RangeError('Maximum call stack size exceeded'),
      { kind: 'local', detail: 'Maximum call stack size exceeded' },
    ],
    [
      'a bug of this process',
      new TypeError("Cannot read properties of undefined (reading 'x')"),
      { kind: 'local', detail: "Cannot read properties of undefined (reading 'x')" },
    ],
  ])('maps %s', (_name, error, expected) => {
    // Act
    const outcome = control().outcomeOf(error);

    // Assert
    expect(outcome).toEqual(expected);
  });
});

describe('AttemptControl.failure', () => {
  const secret = 'sk-live-0123456789abcdef0123';

  it('redacts an upstream failure once, and hands the same error back when it is passed on again', () => {
    // Arrange
    const attempt = new AttemptControl(
      clock,
      undefined,
      Date.now() + 10_000,
      Date.now() + 20_000,
      new Redactor([secret]),
    );
    const thrown = Object.assign(new Error(`reset while sending ${secret}`), { code: 'ECONNRESET' });

    // Act
    const first = attempt.failure(thrown, 'k1');
    const again = attempt.failure(first, 'k1');
    const another = attempt.failure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'k1');

    // Assert
    expect(first).toBeInstanceOf(UpstreamError);
    expect((first as UpstreamError).message).not.toContain(secret);
    expect(again).toBe(first);
    expect(another).not.toBe(first);
    expect((another as UpstreamError).outcome).toEqual({ kind: 'network', code: 'ECONNREFUSED' });
  });

  it("redacts an UpstreamError it did not make (another control's, a transport's)", () => {
    // Arrange
    const attempt = control();
    const foreign = new UpstreamError('upstream said no', { kind: 'http', status: 503 }, 'k1', undefined);

    // Act
    const failure = attempt.failure(foreign, 'k1');

    // Assert
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).not.toBe(foreign);
  });

  it('returns a failure of this process as thrown, every time', () => {
    // Arrange
    const attempt = control();
    const bug = new TypeError('x is undefined');

    // Act
    const failures = [attempt.failure(bug, 'k1'), attempt.failure(bug, 'k1')];

    // Assert
    expect(failures).toEqual([bug, bug]);
  });
});
