import { jest } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { KeySchedule, jitteredDelayMs } from './key-schedule.js';
import { defined } from '../../defined.fixture.js';

describe('jitteredDelayMs', () => {
  it('stays within interval * (1 ± jitter) and spreads over it, on a seeded rng', () => {
    const rng = mulberry32(42);
    const delays = Array.from({ length: 2_000 }, () => jitteredDelayMs({ intervalMs: 10_000, jitter: 0.2, rng }));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(8_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(12_000);
    expect(Math.min(...delays)).toBeLessThan(8_100);
    expect(Math.max(...delays)).toBeGreaterThan(11_900);
  });

  it.each([
    [0, 8_000],
    [0.5, 10_000],
    [0.75, 11_000],
  ])('rng %s -> %i ms', (draw, expected) => {
    expect(jitteredDelayMs({ intervalMs: 10_000, jitter: 0.2, rng: () => draw })).toBe(expected);
  });

  it('jitter 0 is the plain interval', () => {
    expect(jitteredDelayMs({ intervalMs: 10_000, jitter: 0, rng: mulberry32(1) })).toBe(10_000);
  });
});

describe('KeySchedule', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A schedule whose runs are recorded and settle when the test says (or when the schedule stops). */
  function harness(ids: string[], jitter = 0) {
    const runs: Array<{ id: string; atMs: number; settle: () => void; signal: AbortSignal }> = [];
    const forgotten: string[] = [];
    const schedule = new KeySchedule(
      { intervalMs: 1_000, jitter, rng: mulberry32(7) },
      {
        keyIds: () => ids,
        run: (id, signal) =>
          new Promise<void>((resolve) => {
            signal.addEventListener('abort', () => resolve());
            runs.push({ id, atMs: Date.now(), settle: resolve, signal });
          }),
        onError: () => undefined,
        forget: (id) => forgotten.push(id),
      },
    );
    return { schedule, runs, forgotten };
  }

  it('runs each key once per interval, jittered within bounds', async () => {
    const { schedule, runs } = harness(['a', 'b', 'c', 'd'], 0.2);
    const startMs = Date.now();
    schedule.start();
    await jest.advanceTimersByTimeAsync(1_200);
    expect(runs.map((r) => r.id).sort()).toEqual(['a', 'b', 'c', 'd']);
    for (const run of runs) expect(run.atMs - startMs).toBeGreaterThanOrEqual(800);
    expect(new Set(runs.map((r) => r.atMs)).size).toBeGreaterThan(1);
    await schedule.stop();
  });

  it('keeps at most one run in flight per key: the next one waits for the previous to settle', async () => {
    const { schedule, runs } = harness(['a']);
    schedule.start();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(1);
    runs[0].settle();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(runs).toHaveLength(2);
    await schedule.stop();
  });

  it('runNow runs idle keys at once and does not run a busy key twice', async () => {
    const { schedule, runs } = harness(['a', 'b']);
    schedule.start();
    await jest.advanceTimersByTimeAsync(1_000);
    defined(runs.find((r) => r.id === 'a')).settle();
    await jest.advanceTimersByTimeAsync(0);
    const now = schedule.runNow();
    expect(runs.map((r) => r.id)).toEqual(['a', 'b', 'a']);
    runs.forEach((r) => r.settle());
    await now;
    await schedule.stop();
  });

  it('picks up added keys and forgets removed ones', async () => {
    const ids = ['a'];
    const { schedule, runs, forgotten } = harness(ids);
    schedule.start();
    ids.push('b');
    await jest.advanceTimersByTimeAsync(1_000);
    runs.forEach((r) => r.settle());
    ids.splice(0, 1);
    await jest.advanceTimersByTimeAsync(2_000);
    runs.forEach((r) => r.settle());
    await jest.advanceTimersByTimeAsync(1_000);
    expect(runs.filter((r) => r.id === 'a')).toHaveLength(1);
    expect(runs.filter((r) => r.id === 'b').length).toBeGreaterThanOrEqual(2);
    expect(forgotten).toEqual(['a']);
    await schedule.stop();
  });

  it('stop clears every timer, aborts the runs in flight and waits for them', async () => {
    const { schedule, runs } = harness(['a', 'b']);
    const baseline = jest.getTimerCount();
    schedule.start();
    expect(jest.getTimerCount()).toBe(baseline + 2);
    await jest.advanceTimersByTimeAsync(1_000);
    await schedule.stop();
    expect(runs.every((r) => r.signal.aborted)).toBe(true);
    expect(jest.getTimerCount()).toBe(baseline);
    await schedule.runNow();
    expect(runs).toHaveLength(2);
  });

  it('reports a run that throws and keeps the key scheduled', async () => {
    const errors: string[] = [];
    let calls = 0;
    const schedule = new KeySchedule(
      { intervalMs: 1_000, jitter: 0, rng: mulberry32(1) },
      {
        keyIds: () => ['a'],
        run: () => {
          calls += 1;
          return Promise.reject(new Error('boom'));
        },
        onError: (id, error) => errors.push(`${id}: ${(error as Error).message}`),
      },
    );
    schedule.start();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(calls).toBe(2);
    expect(errors).toEqual(['a: boom', 'a: boom']);
    await schedule.stop();
  });
});
