import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { UpstreamError } from '../deepseek-pool.errors.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { AttemptControl } from './attempt-control.js';
import type { AttemptFn } from './attempt-loop.types.js';
import { MODEL, keysOf, loopHarness } from './attempt-loop.fixture.js';
import type { HedgeSkipMetric } from '../metrics/metrics-recorder.js';
import type { PoolStateStore } from '../state/pool-state-store.js';
import { type AttemptResult, runAttempt } from './attempt-race.js';
import { useFakeTimersWithRealImmediates } from '../fake-timers.fixture.js';

/** What each key does when asked: answer after `ms`, fail with `status` after `ms`, or never answer. */
type Script = { answerMs: number } | { failMs: number; status: number } | 'hang';

/** An attempt that follows `scripts[slot.id]`; an aborted attempt rejects like an aborted exchange. */
function scripted(scripts: Record<string, Script>): AttemptFn<string> {
  return (slot: KeySlot, control: AttemptControl) =>
    new Promise<string>((resolve, reject) => {
      control.abortHandle.addEventListener('abort', () =>
        reject(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' })),
      );
      const script = scripts[slot.id];
      if (script === 'hang') return;
      if ('answerMs' in script) setTimeout(() => resolve(`answer of ${slot.id}`), script.answerMs);
      else
        setTimeout(
          () =>
            reject(
              new UpstreamError(`HTTP ${script.status}`, { kind: 'http', status: script.status }, slot.id, undefined),
            ),
          script.failMs,
        );
    });
}

describe('runAttempt (fake timers, hedge delay 100 ms)', () => {
  let harness: ReturnType<typeof loopHarness>;
  let events: unknown[];
  beforeEach(() => {
    useFakeTimersWithRealImmediates();
    harness = loopHarness({ keys: keysOf(2) });
    events = [];
    for (const name of ['hedge', 'hedge.won', 'hedge.skipped'] as const)
      harness.events.on(name, (e: unknown) => events.push([name, e]));
  });
  afterEach(() => {
    harness.close();
    jest.useRealTimers();
  });

  /** Runs an attempt of a call scripted by `scripts` on k0 (its account place taken first) until it settles. */
  async function run(scripts: Record<string, Script>, hedge: boolean) {
    const call = harness.call({}, scripted(scripts));
    const slot = harness.slot('k0');
    harness.store.tryAcquireAccount(slot.config.account, Infinity);
    const running = runAttempt(call, slot, hedge, harness.deps);
    await jest.advanceTimersByTimeAsync(1_000);
    const result: AttemptResult<string> = await running;
    return { call, result };
  }

  it('returns the answer with its attempt recorded, and releases the key', async () => {
    // Act
    const { result } = await run({ k0: { answerMs: 50 } }, false);

    // Assert
    expect(result).toEqual({
      data: 'answer of k0',
      meta: { keyId: 'k0', attempts: 1, trace: [{ keyId: 'k0', outcome: 'success', latencyMs: 50 }] },
    });
    expect(harness.slot('k0').inFlight).toBe(0);
    expect(harness.store.accountInFlight('a0')).toBe(0);
  });

  it('returns a failure for the loop to retry, the key marked tried and released', async () => {
    // Act
    const { call, result } = await run({ k0: { failMs: 30, status: 503 } }, false);

    // Assert
    expect('error' in result ? result.error.status : undefined).toBe(503);
    expect(call.trace).toEqual([{ keyId: 'k0', outcome: 'http', status: 503, latencyMs: 30 }]);
    expect(call.tried.has(harness.slot('k0'))).toBe(true);
    expect(harness.slot('k0').inFlight).toBe(0);
  });

  it('counts a network error an attempt throws at once against its key, as when it rejects', async () => {
    // Arrange
    const thrown = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const call = harness.call({}, () => {
      throw thrown;
    });
    const slot = harness.slot('k0');
    harness.store.tryAcquireAccount(slot.config.account, Infinity);

    // Act
    const result = await runAttempt(call, slot, false, harness.deps);

    // Assert
    expect('error' in result ? result.error.outcome : undefined).toEqual({ kind: 'network', code: 'ECONNRESET' });
    expect(slot.breaker.window).toEqual({ errorRate: 1, calls: 1 });
    expect(slot.inFlight).toBe(0);
    expect(harness.store.accountInFlight('a0')).toBe(0);
  });

  it('sends a hedge to another key once the delay passes; the first answer wins and the other is lost', async () => {
    // Act
    const { result } = await run({ k0: 'hang', k1: { answerMs: 20 } }, true);

    // Assert
    expect('data' in result ? result.meta : undefined).toEqual({
      keyId: 'k1',
      attempts: 2,
      trace: [
        { keyId: 'k0', outcome: 'lost', latencyMs: 120 },
        { keyId: 'k1', outcome: 'success', latencyMs: 20, hedge: true },
      ],
    });
    expect(events).toEqual([
      ['hedge', { fromKeyId: 'k0', keyId: 'k1', afterMs: 100 }],
      ['hedge.won', { keyId: 'k1', loserKeyId: 'k0', winner: 'hedge' }],
    ]);
    expect(harness.slot('k0').inFlight).toBe(0);
    expect(harness.store.cooldownUntil('key:k0')).toBe(0);
  });

  it('holds what lands while a remote store gives the hedge its key, then handles it in order', async () => {
    // Arrange: the store answers a hedge's account place 10 ms later (as Redis would), and k0 answers meanwhile
    const store: PoolStateStore = harness.store;
    const acquire = harness.store.tryAcquireAccount.bind(harness.store);
    jest
      .spyOn(store, 'tryAcquireAccount')
      .mockImplementation(
        (account, limit) => new Promise((resolve) => setTimeout(() => resolve(acquire(account, limit)), 10)),
      );

    // Act
    const { result } = await run({ k0: { answerMs: 105 }, k1: { answerMs: 20 } }, true);

    // Assert: the hedge went out once its key came (110 ms), and lost to the answer held since 105 ms
    expect('data' in result ? result.meta : undefined).toEqual({
      keyId: 'k0',
      attempts: 2,
      trace: [
        { keyId: 'k1', outcome: 'lost', latencyMs: 0, hedge: true },
        { keyId: 'k0', outcome: 'success', latencyMs: 110 }, // handled once the hedge went out
      ],
    });
    expect(events).toEqual([
      ['hedge', { fromKeyId: 'k0', keyId: 'k1', afterMs: 100 }],
      ['hedge.won', { keyId: 'k0', loserKeyId: 'k1', winner: 'primary' }],
    ]);
    expect(harness.slot('k1').inFlight).toBe(0);
    expect(harness.store.accountInFlight('a1')).toBe(0);
  });

  it('fails the step, the primary aborted, when the store fails to give the hedge its key', async () => {
    // Arrange
    const storeDown = new Error('store unreachable');
    const store: PoolStateStore = harness.store;
    jest.spyOn(store, 'tryAcquireAccount').mockImplementation(() => Promise.reject(storeDown));
    const call = harness.call({}, scripted({ k0: 'hang', k1: { answerMs: 20 } }));
    const slot = harness.slot('k0');
    const running = runAttempt(call, slot, true, harness.deps);
    const settled = running.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    // Act
    await jest.advanceTimersByTimeAsync(1_000);

    // Assert
    expect(await settled).toBe(storeDown);
    expect(slot.inFlight).toBe(0);
    expect(harness.slot('k1').inFlight).toBe(0);
  });

  it('keeps waiting for the hedge when the primary fails after it was sent', async () => {
    // Act
    const { result } = await run({ k0: { failMs: 150, status: 503 }, k1: { answerMs: 100 } }, true);

    // Assert
    expect('data' in result ? result.meta.trace : undefined).toEqual([
      { keyId: 'k0', outcome: 'http', status: 503, latencyMs: 150 },
      { keyId: 'k1', outcome: 'success', latencyMs: 100, hedge: true },
    ]);
  });

  it('sends no hedge when the call is not hedged', async () => {
    // Act
    const { result } = await run({ k0: { answerMs: 300 }, k1: { answerMs: 1 } }, false);

    // Assert
    expect('data' in result ? result.meta.keyId : undefined).toBe('k0');
    expect(events).toEqual([]);
  });

  it('skips the hedge when no other key is eligible', async () => {
    // Arrange
    harness.store.disable('k1', { reason: 'manual', sinceMs: 0 });

    // Act
    const { result } = await run({ k0: { answerMs: 300 } }, true);

    // Assert
    expect('data' in result ? result.meta.keyId : undefined).toBe('k0');
    expect(events).toEqual([['hedge.skipped', { keyId: 'k0', reason: 'no-candidate' }]]);
  });

  describe('the yield of hedges (a budget of 100 hedges a second, so only the yield limits them)', () => {
    let skipMetrics: HedgeSkipMetric[];
    beforeEach(() => {
      skipMetrics = [];
    });

    /** Runs `races` hedged attempts of k0 scripted by `scripts` on a harness of its own; the hedge events it saw. */
    async function race(scripts: Record<string, Script>, races: number): Promise<unknown[]> {
      const own = loopHarness({
        keys: keysOf(2),
        hedging: { fixedMs: 100, budget: { ratio: 0, minRetriesPerSecond: 100, windowMs: 10_000 } },
      });
      const seen: unknown[] = [];
      own.events.on('hedge', () => seen.push('hedge'));
      own.events.on('hedge.skipped', ({ reason }) => seen.push(reason));
      own.deps.metrics = {
        attempt: () => undefined,
        request: () => undefined,
        retry: () => undefined,
        usage: () => undefined,
        degraded: () => undefined,
        hedgeSkip: (metric) => skipMetrics.push(metric),
      };
      try {
        for (let i = 0; i < races; i++) {
          const slot = own.slot('k0');
          own.store.tryAcquireAccount(slot.config.account, Infinity);
          const running = runAttempt(own.call({}, scripted(scripts)), slot, true, own.deps);
          await jest.advanceTimersByTimeAsync(300);
          await running;
        }
      } finally {
        own.close();
      }
      return seen;
    }

    it('skips hedges once the first attempt won 20 races in a row, and sends one in 10 as a probe', async () => {
      // Act: the first attempt answers at 150 ms, before its hedge (sent at 100 ms, answering after 100 ms more).
      const seen = await race({ k0: { answerMs: 150 }, k1: { answerMs: 100 } }, 40);

      // Assert
      expect(seen.slice(0, 20)).toEqual(Array.from({ length: 20 }, () => 'hedge'));
      expect(seen.slice(20, 30)).toEqual([...Array.from({ length: 9 }, () => 'low-yield'), 'hedge']);
      expect(seen.slice(30)).toEqual([...Array.from({ length: 9 }, () => 'low-yield'), 'hedge']);
      expect(skipMetrics).toHaveLength(18);
      expect(skipMetrics[0]).toEqual({ model: MODEL, reason: 'low-yield', stream: false });
    });

    it('goes on hedging while the hedges win their races', async () => {
      // Act: the first attempt never answers; its hedge answers after 20 ms.
      const seen = await race({ k0: 'hang', k1: { answerMs: 20 } }, 40);

      // Assert
      expect(seen).toEqual(Array.from({ length: 40 }, () => 'hedge'));
    });
  });

  it('answers at the commit of a stream and keeps the key busy until the stream ends', async () => {
    // Arrange: commits at 10 ms, ends at 100 ms
    const stream: AttemptFn<string> = (_slot, _control, commit) =>
      new Promise<void>((resolve) => {
        setTimeout(() => commit('first content'), 10);
        setTimeout(resolve, 100);
      });
    const call = harness.call({}, stream);
    const slot = harness.slot('k0');
    harness.store.tryAcquireAccount('a0', Infinity);

    // Act
    const running = runAttempt(call, slot, false, harness.deps);
    await jest.advanceTimersByTimeAsync(10);
    const result = await running;
    const busyAtCommit = slot.inFlight;
    await jest.advanceTimersByTimeAsync(90);

    // Assert
    expect('data' in result ? result.data : undefined).toBe('first content');
    expect(busyAtCommit).toBe(1);
    expect(slot.inFlight).toBe(0);
    expect(harness.store.accountInFlight('a0')).toBe(0);
  });
});
