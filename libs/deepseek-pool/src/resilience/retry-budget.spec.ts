import { describe, expect, it } from '@jest/globals';
import { RetryBudget, type RetryBudgetPolicy } from './retry-budget.js';

const POLICY: RetryBudgetPolicy = { ratio: 0.2, minRetriesPerSecond: 10, windowMs: 10_000 };
/** The retries always allowed per window: 10 per second over 10 s. */
const FLOOR = 100;

function setup(policy: RetryBudgetPolicy = POLICY) {
  const clock = { t: 1_000_000, now: () => clock.t };
  return { clock, budget: new RetryBudget(policy, clock) };
}

function withdrawAll(budget: RetryBudget): number {
  let retries = 0;
  while (budget.tryWithdraw()) retries++;
  return retries;
}

describe('RetryBudget', () => {
  it('allows the minimum retries per second with no traffic, then refuses', () => {
    // Arrange
    const { budget } = setup();

    // Act
    const retries = withdrawAll(budget);

    // Assert
    expect(retries).toBe(FLOOR);
    expect(budget.tryWithdraw()).toBe(false);
  });

  it('keeps retries within 20% of 1,000 requests plus the floor when each wants unlimited retries', () => {
    // Arrange
    const { clock, budget } = setup();
    let retries = 0;

    // Act
    for (let i = 0; i < 1_000; i++) {
      budget.recordRequest();
      retries += withdrawAll(budget);
      clock.t += 5;
    }

    // Assert
    expect(retries).toBeLessThanOrEqual(0.2 * 1_000 + FLOOR);
    expect(retries).toBe(300);
  });

  it('refills once the window has passed', () => {
    // Arrange
    const { clock, budget } = setup();
    for (let i = 0; i < 50; i++) budget.recordRequest();
    withdrawAll(budget);

    // Act
    clock.t += POLICY.windowMs;

    // Assert
    expect(budget.balance).toBe(FLOOR);
    expect(budget.tryWithdraw()).toBe(true);
  });

  it.each<[string, number, number]>([
    ['counts both batches inside the window', 9_999, FLOOR + 0.2 * 200],
    ['drops the first batch once its bucket leaves the window', 10_000, FLOOR + 0.2 * 100],
    ['drops both batches after a long pause', 60_000, FLOOR],
  ])('%s', (_name, elapsedMs, expected) => {
    // Arrange
    const { clock, budget } = setup();
    const start = clock.t;
    for (let i = 0; i < 100; i++) budget.recordRequest();
    clock.t = start + 5_000;
    for (let i = 0; i < 100; i++) budget.recordRequest();

    // Act
    clock.t = start + elapsedMs;

    // Assert
    expect(budget.balance).toBeCloseTo(expected, 9);
  });

  it('lets retries earned by requests through only as whole retries', () => {
    // Arrange
    const { budget } = setup({ ratio: 0.2, minRetriesPerSecond: 0, windowMs: 10_000 });
    for (let i = 0; i < 4; i++) budget.recordRequest();
    const refusedAtFour = budget.tryWithdraw();

    // Act
    budget.recordRequest();
    const allowedAtFive = budget.tryWithdraw();

    // Assert
    expect([refusedAtFour, allowedAtFive]).toEqual([false, true]);
    expect(budget.balance).toBeCloseTo(0, 9);
  });

  it('does not charge the budget for a refused retry', () => {
    // Arrange
    const { budget } = setup();
    withdrawAll(budget);
    const before = budget.balance;

    // Act
    budget.tryWithdraw();

    // Assert
    expect(budget.balance).toBe(before);
  });
});
