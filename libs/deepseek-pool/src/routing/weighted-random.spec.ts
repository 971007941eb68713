import { describe, expect, it } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { candidate, pickShares, scriptedRng } from './candidates.fixture.js';
import { createWeightedRandomStrategy } from './weighted-random.js';

const KEYS = [candidate('a', { weight: 1 }), candidate('b', { weight: 2 }), candidate('c', { weight: 5 })];

describe('weighted-random strategy', () => {
  // Total weight 8: a owns [0, 1), b owns [1, 3), c owns [3, 8) of rng() * 8.
  it.each<[string, number, string]>([
    ['picks the first key at the bottom of the range', 0, 'a'],
    ['keeps the first key up to its weight', 0.124, 'a'],
    ['moves to the next key exactly at the boundary', 0.125, 'b'],
    ['keeps the middle key up to the cumulative weight', 0.374, 'b'],
    ['picks the heaviest key above it', 0.375, 'c'],
    ['picks the last key at the top of the range', 0.999_999, 'c'],
  ])('%s', (_name, draw, expectedId) => {
    // Act
    const picked = createWeightedRandomStrategy().pick(KEYS, scriptedRng(draw));

    // Assert
    expect(picked.id).toBe(expectedId);
  });

  it('honours weights 1:2:5 within 5% over 10,000 picks', () => {
    // Act
    const shares = pickShares(createWeightedRandomStrategy(), KEYS, mulberry32(42), 10_000);

    // Assert
    expect(Math.abs(shares.a - 1 / 8)).toBeLessThanOrEqual(0.05 / 8);
    expect(Math.abs(shares.b - 2 / 8)).toBeLessThanOrEqual((0.05 * 2) / 8);
    expect(Math.abs(shares.c - 5 / 8)).toBeLessThanOrEqual((0.05 * 5) / 8);
  });
});
