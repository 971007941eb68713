import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { type KeyTask, poolKeySchedule } from './pool-key-schedule.js';

const INTERVAL = 1_000;

describe('poolKeySchedule (fake timers)', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  /** A pool of `ids` (changed by the test), a task that records its runs and throws for key `bad`, a logger. */
  function harness(ids: string[]) {
    const runs: string[] = [];
    const forgotten: string[] = [];
    const warnings: string[] = [];
    const pool = { snapshot: () => ({ keys: ids.map((id) => ({ id })) }) };
    const task: KeyTask = {
      name: 'Check of key',
      run: (id) => {
        runs.push(id);
        return id === 'bad' ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      forget: (id) => forgotten.push(id),
    };
    const logger: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (m) => warnings.push(String(m)),
    };
    const schedule = poolKeySchedule(pool, { intervalMs: INTERVAL, jitter: 0, rng: () => 0.5 }, task, logger);
    return { schedule, runs, forgotten, warnings };
  }

  it("runs the task on each of the pool's keys once per interval", async () => {
    // Arrange
    const { schedule, runs } = harness(['a', 'b']);

    // Act
    schedule.start();
    await jest.advanceTimersByTimeAsync(INTERVAL * 2);

    // Assert
    expect(runs.sort()).toEqual(['a', 'a', 'b', 'b']);
    await schedule.stop();
  });

  it('follows the key set: a key added joins, a key removed is forgotten', async () => {
    // Arrange
    const ids = ['a', 'b'];
    const { schedule, runs, forgotten } = harness(ids);
    schedule.start();

    // Act
    ids.splice(1, 1, 'c');
    await jest.advanceTimersByTimeAsync(INTERVAL * 2);

    // Assert
    expect(forgotten).toEqual(['b']);
    expect(runs).toContain('c');
    expect(runs).not.toContain('b');
    await schedule.stop();
  });

  it('logs a run that throws under the task name, and keeps the key scheduled', async () => {
    // Arrange
    const { schedule, runs, warnings } = harness(['bad']);

    // Act
    await schedule.runNow();
    await jest.advanceTimersByTimeAsync(INTERVAL);

    // Assert
    expect(warnings[0]).toBe('Check of key bad failed: boom');
    expect(runs).toEqual(['bad', 'bad']);
    await schedule.stop();
  });
});
