import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { cooldownMs, laterDeadline } from './cooldown.js';

const POLICY = { baseMs: 1_000, maxMs: 30_000 };

describe('cooldownMs', () => {
  it.each<[string, number, number, number | undefined, number]>([
    ['cools the first 429 for at least half the base', 1, 0, undefined, 500],
    ['adds the random half on top of the fixed half', 1, 0.5, undefined, 750],
    ['doubles with each consecutive 429', 3, 0, undefined, 2_000],
    ['stops growing at the cap', 10, 0, undefined, 15_000],
    ['cools a key down for at least Retry-After', 1, 0, 4_000, 4_000],
    ['lets Retry-After exceed the cap', 10, 0.5, 60_000, 60_000],
    ['ignores a Retry-After shorter than the computed cooldown', 3, 0, 100, 2_000],
    ['treats a count below 1 as the first 429', 0, 0, undefined, 500],
  ])('%s', (_name, consecutive, draw, floorMs, expected) => {
    // Act
    const ms = cooldownMs(consecutive, () => draw, POLICY, floorMs);

    // Assert
    expect(ms).toBe(expected);
  });

  it('always lies between half and all of the capped exponential, and never below the floor', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.nat({ max: 120_000 }),
        (consecutive, draw, floorMs) => {
          // Arrange
          const cap = Math.min(POLICY.maxMs, POLICY.baseMs * 2 ** (consecutive - 1));

          // Act
          const ms = cooldownMs(consecutive, () => draw, POLICY, floorMs);

          // Assert
          return ms >= floorMs && ms >= cap / 2 && ms <= Math.max(cap, floorMs);
        },
      ),
    );
  });
});

describe('laterDeadline', () => {
  it.each<[string, number | undefined, number, number]>([
    ['takes the new deadline when the key was not cooling', undefined, 5_000, 5_000],
    ['never shortens a cooldown when re-cooled', 10_000, 5_000, 10_000],
    ['extends a cooldown to a later deadline', 5_000, 10_000, 10_000],
  ])('%s', (_name, current, next, expected) => {
    // Act
    const deadline = laterDeadline(current, next);

    // Assert
    expect(deadline).toBe(expected);
  });
});
