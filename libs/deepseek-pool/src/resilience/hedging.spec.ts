import { jest } from '@jest/globals';
import { Hedging } from './hedging.js';
import type { LatencyClass } from './answer-times.js';
import type { HedgeSettings } from './hedge-policy.js';
import { useFakeTimersWithRealImmediates } from '../fake-timers.fixture.js';

const C: LatencyClass = { stream: false, model: 'm', tokens: '' };

const SETTINGS: HedgeSettings = {
  enabled: true,
  percentile: 95,
  floorMs: 10,
  capMs: 10_000,
  minSamples: 20,
  windowMs: 30_000,
  budget: { ratio: 0.05, minRetriesPerSecond: 1, windowMs: 10_000 },
};

describe('Hedging.timer (fake timers)', () => {
  beforeEach(() => useFakeTimersWithRealImmediates());
  afterEach(() => jest.useRealTimers());

  async function firesAt(hedging: Hedging, during?: (elapsedMs: number) => void): Promise<number> {
    const state = { fired: false };
    const timer = hedging.timer(C, Date.now(), () => (state.fired = true));
    for (let ms = 1; ms <= 20_000; ms++) {
      during?.(ms);
      await jest.advanceTimersByTimeAsync(1);
      if (state.fired) return ms;
    }
    timer.cancel();
    return Infinity;
  }

  it('fires at the cap while the class has no sample', async () => {
    expect(await firesAt(new Hedging(SETTINGS, { now: () => Date.now() }))).toBe(10_000);
  });

  it("fires within the floor's polling of the first answers setting the delay (a pool's first calls are hedged too)", async () => {
    const hedging = new Hedging(SETTINGS, { now: () => Date.now() });
    const firedAt = await firesAt(hedging, (ms) => ms === 30 && hedging.recordAnswer(C, 25));
    expect(firedAt).toBeGreaterThanOrEqual(30);
    expect(firedAt).toBeLessThanOrEqual(40);
  });

  it('keeps polling below the minimum samples: a delay set by one slow first answer shrinks as the answers come', async () => {
    const hedging = new Hedging(SETTINGS, { now: () => Date.now() });
    hedging.recordAnswer(C, 400);
    const firedAt = await firesAt(
      hedging,
      (ms) => ms === 100 && Array.from({ length: 30 }, () => hedging.recordAnswer(C, 25)),
    );
    expect(firedAt).toBeGreaterThanOrEqual(100);
    expect(firedAt).toBeLessThanOrEqual(110);
  });

  it('fires at the fixed delay when one is set', async () => {
    expect(await firesAt(new Hedging({ ...SETTINGS, fixedMs: 250 }, { now: () => Date.now() }))).toBe(250);
  });

  it('waits for the rest of the event-loop turn once due: an answer read in that turn cancels the hedge', async () => {
    const hedging = new Hedging({ ...SETTINGS, fixedMs: 5 }, { now: () => Date.now() });
    let fired = false;
    const timer = hedging.timer(C, Date.now(), () => (fired = true));
    jest.advanceTimersByTime(5); // runs the due timer; its immediate waits for the real loop's turn
    expect(fired).toBe(false);
    timer.cancel(); // as the answer read in that turn does
    await jest.advanceTimersByTimeAsync(100);
    expect(fired).toBe(false);
  });

  it('never fires once cancelled', async () => {
    const hedging = new Hedging({ ...SETTINGS, fixedMs: 5 }, { now: () => Date.now() });
    let fired = false;
    const timer = hedging.timer(C, Date.now(), () => (fired = true));
    timer.cancel();
    await jest.advanceTimersByTimeAsync(100);
    expect(fired).toBe(false);
  });
});

describe('Hedging.timer and the process (real timers)', () => {
  it("waits without keeping the process alive: the primary's exchange does", () => {
    const refTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const hedging = new Hedging({ ...SETTINGS, fixedMs: 5_000 }, { now: () => Date.now() });
    const before = refTimers();
    const timer = hedging.timer(C, Date.now(), () => undefined);
    const waiting = refTimers();
    timer.cancel();
    expect(waiting).toBe(before);
  });
});
