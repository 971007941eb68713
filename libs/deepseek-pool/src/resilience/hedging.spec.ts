import { jest } from '@jest/globals';
import { Hedging } from './hedging.js';
import type { LatencyClass } from './answer-times.js';
import type { HedgeSettings } from './hedge-policy.js';
import { useFakeTimersWithRealImmediates } from '../fake-timers.fixture.js';
import { resolveOptions } from '../deepseek-pool.options.js';

const C: LatencyClass = { stream: false, model: 'm', tokens: '' };

const SETTINGS: HedgeSettings = {
  enabled: true,
  percentile: 95,
  floorMs: 10,
  capMs: 10_000,
  minSamples: 20,
  windowMs: 30_000,
  minYield: 0.25,
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

  it('by default never fires before 20 ms, however fast the class answers', async () => {
    const defaults = resolveOptions({ keys: 'sk-aaaaaaaaaaaaaaaa1111' }).hedging;
    const hedging = new Hedging(defaults, { now: () => Date.now() });
    for (let i = 0; i < 30; i++) hedging.recordAnswer(C, 2);
    expect(await firesAt(hedging)).toBe(20);
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

  it("holds one Node timer for all of a pool's pending hedge delays", () => {
    const hedging = new Hedging({ ...SETTINGS, fixedMs: 50 }, { now: () => Date.now() });
    const timers = [1, 2, 3].map(() => hedging.timer(C, Date.now(), () => undefined));
    expect(jest.getTimerCount()).toBe(1);
    for (const timer of timers) timer.cancel();
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

describe('Hedging.skip: the yield of the recent races, by key of the first attempt', () => {
  /** Keys of first attempts (only their identity counts). */
  const K0 = {};
  const K1 = {};

  /** A pool's hedging on a clock at `at.ms`, and the reasons of `n` due hedges in a row of attempts on `key`. */
  function setup(settings: Partial<HedgeSettings> = {}) {
    const at = { ms: 1_000_000 };
    const hedging = new Hedging({ ...SETTINGS, ...settings }, { now: () => at.ms });
    const skips = (n: number, key = K0) => Array.from({ length: n }, () => hedging.skip(2, 60_000, C, key));
    return { at, hedging, skips };
  }

  it('skips for low yield once 20 races were lost, and lets one in 10 through', () => {
    // Arrange
    const { hedging, skips } = setup();
    for (let i = 0; i < 20; i++) hedging.recordRace(K0, false);

    // Act / Assert
    expect(skips(20)).toEqual([
      ...Array.from({ length: 9 }, () => 'low-yield'),
      undefined,
      ...Array.from({ length: 9 }, () => 'low-yield'),
      undefined,
    ]);
  });

  it('hedges freely while a quarter of the races were won by the hedge', () => {
    // Arrange
    const { hedging, skips } = setup();
    for (let i = 0; i < 20; i++) hedging.recordRace(K0, i % 4 === 0);

    // Act / Assert
    expect(skips(3)).toEqual([undefined, undefined, undefined]);
  });

  it('hedges freely again when the window forgets races that had not throttled them', () => {
    // Arrange: 19 lost races, too few to judge, then one more after the window.
    const { at, hedging, skips } = setup();
    for (let i = 0; i < 19; i++) hedging.recordRace(K0, false);
    at.ms += SETTINGS.windowMs;

    // Act
    hedging.recordRace(K0, false);

    // Assert
    expect(skips(2)).toEqual([undefined, undefined]);
  });

  it('stays throttled once the window forgets the races that throttled it, probing one in 10', () => {
    // Arrange
    const { at, hedging, skips } = setup();
    for (let i = 0; i < 20; i++) hedging.recordRace(K0, false);
    expect(skips(1)).toEqual(['low-yield']);

    // Act
    at.ms += SETTINGS.windowMs;

    // Assert: 8 more skips to the probe (one skipped already), then 9 skips and the next probe.
    expect(skips(18)).toEqual([
      ...Array.from({ length: 8 }, () => 'low-yield'),
      undefined,
      ...Array.from({ length: 9 }, () => 'low-yield'),
    ]);
  });

  it('frees the hedges once they win again: 5 probes won, a quarter of 20 races', () => {
    // Arrange: throttled, then the window forgets.
    const { at, hedging, skips } = setup();
    for (let i = 0; i < 20; i++) hedging.recordRace(K0, false);
    expect(skips(1)).toEqual(['low-yield']);
    at.ms += SETTINGS.windowMs;

    // Act / Assert: 4 probes won still leave it throttled, the fifth frees it.
    for (let i = 0; i < 4; i++) hedging.recordRace(K0, true);
    expect(skips(1)).toEqual(['low-yield']);
    hedging.recordRace(K0, true);
    expect(skips(3)).toEqual([undefined, undefined, undefined]);
  });

  it("judges each key by its own races: a key whose hedges lose leaves another key's hedges alone", () => {
    // Arrange
    const { hedging, skips } = setup();
    for (let i = 0; i < 20; i++) hedging.recordRace(K0, false);
    for (let i = 0; i < 20; i++) hedging.recordRace(K1, true);

    // Act / Assert
    expect(skips(1, K0)).toEqual(['low-yield']);
    expect(skips(2, K1)).toEqual([undefined, undefined]);
  });

  it('counts the skips to the probe across other vetoes: a spent budget does not restart the count', () => {
    // Arrange: a budget of exactly one hedge per 10 s, and a key whose hedges lost 20 races.
    const { at, hedging, skips } = setup({ budget: { ratio: 0, minRetriesPerSecond: 0.1, windowMs: 10_000 } });
    for (let i = 0; i < 20; i++) hedging.recordRace(K0, false);
    expect(skips(4)).toEqual(Array.from({ length: 4 }, () => 'low-yield'));
    expect(hedging.spend()).toBe(true);
    expect(skips(2)).toEqual(['budget', 'budget']);

    // Act: the budget's window passes (the races' window is longer).
    at.ms += 10_000;

    // Assert: 4 + 5 skips, then the probe.
    expect(skips(6)).toEqual([...Array.from({ length: 5 }, () => 'low-yield'), undefined]);
  });

  it('never judges the yield with minYield 0', () => {
    // Arrange
    const { hedging, skips } = setup({ minYield: 0 });
    for (let i = 0; i < 100; i++) hedging.recordRace(K0, false);

    // Act / Assert
    expect(skips(2)).toEqual([undefined, undefined]);
  });
});
