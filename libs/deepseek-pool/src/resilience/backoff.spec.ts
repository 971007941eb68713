import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { backoffMs, cappedExponentialMs } from './backoff.js';

const POLICY = { baseMs: 100, maxMs: 5_000 };

describe('cappedExponentialMs', () => {
  it.each<[string, number, number]>([
    ['starts at the base for the first attempt', 1, 100],
    ['doubles for each attempt', 3, 400],
    ['stops at the cap', 7, 5_000],
    ['treats attempts below 1 as the first', 0, 100],
    ['stays finite for huge attempt numbers', 10_000, 5_000],
  ])('%s', (_name, n, expected) => {
    // Act
    const ms = cappedExponentialMs(n, POLICY);

    // Assert
    expect(ms).toBe(expected);
  });
});

describe('backoffMs', () => {
  it.each<[string, number, number, number]>([
    ['waits a random share of the base on attempt 1', 1, 0.5, 50],
    ['waits a random share of the doubled delay on attempt 3', 3, 0.5, 200],
    ['caps the delay before jitter', 20, 0.5, 2_500],
    ['may retry at once (full jitter)', 4, 0, 0],
  ])('%s', (_name, attempt, draw, expected) => {
    // Act
    const ms = backoffMs(attempt, () => draw, POLICY);

    // Assert
    expect(ms).toBe(expected);
  });

  it('always lies in [0, min(max, base * 2^(attempt-1))]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, draw) => {
          // Act
          const ms = backoffMs(attempt, () => draw, POLICY);

          // Assert
          return ms >= 0 && ms <= Math.min(POLICY.maxMs, POLICY.baseMs * 2 ** (attempt - 1));
        },
      ),
    );
  });
});
