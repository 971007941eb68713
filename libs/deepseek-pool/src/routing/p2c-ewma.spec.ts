import { describe, expect, it } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { candidate, pickShares, scriptedRng } from './candidates.fixture.js';
import { createP2cEwmaStrategy } from './p2c-ewma.js';
import type { Candidate } from './strategy.js';

const PICKS = 10_000;

describe('p2c-ewma strategy', () => {
  it('returns the only candidate without drawing', () => {
    // Arrange
    const only = candidate('a');

    // Act
    const picked = createP2cEwmaStrategy().pick([only], scriptedRng());

    // Assert
    expect(picked).toBe(only);
  });

  // Draws 0 and 0 pick a then b; 0.25 and 0 pick b then a; 0.99 and 0.99 pick d then c.
  it.each<[string, Candidate[], number[], string]>([
    ['keeps the lower latency of the two drawn', [candidate('a', { latencyMs: 1_000 }), candidate('b')], [0, 0], 'b'],
    ['keeps the one with fewer requests in flight', [candidate('a', { inFlight: 5 }), candidate('b')], [0, 0], 'b'],
    [
      'keeps the higher weight at equal load',
      [candidate('a', { inFlight: 2 }), candidate('b', { inFlight: 2, weight: 3 })],
      [0, 0],
      'b',
    ],
    ['keeps the first drawn on a tie', [candidate('a'), candidate('b')], [0.25 * 2, 0], 'b'],
    [
      'explores an unmeasured key (latency 0) before a measured one',
      [candidate('a', { latencyMs: 0 }), candidate('b')],
      [0.5, 0],
      'a',
    ],
    [
      'never draws the same candidate twice',
      [candidate('a'), candidate('b'), candidate('c'), candidate('d', { latencyMs: 1_000 })],
      [0.99, 0.99],
      'c',
    ],
    [
      'weighs latency against load: a fast busy key loses to a slower idle one',
      [candidate('a', { latencyMs: 50, inFlight: 9 }), candidate('b', { latencyMs: 100 })],
      [0, 0],
      'b',
    ],
  ])('%s', (_name, candidates, draws, expectedId) => {
    // Act
    const picked = createP2cEwmaStrategy().pick(candidates, scriptedRng(...draws));

    // Assert
    expect(picked.id).toBe(expectedId);
  });

  it('spreads traffic roughly evenly over equal keys', () => {
    // Arrange
    const keys = ['a', 'b', 'c', 'd'].map((id) => candidate(id));

    // Act
    const shares = pickShares(createP2cEwmaStrategy(), keys, mulberry32(42), PICKS);

    // Assert
    for (const share of Object.values(shares)) {
      expect(share).toBeGreaterThanOrEqual(0.2);
      expect(share).toBeLessThanOrEqual(0.3);
    }
  });

  it.each<[string, Partial<Candidate>]>([
    ['avoids a key 10x slower than the others', { latencyMs: 1_000 }],
    ['avoids a key with many requests in flight', { inFlight: 50 }],
  ])('%s', (_name, fields) => {
    // Arrange
    const keys = [candidate('bad', fields), candidate('b'), candidate('c'), candidate('d')];

    // Act
    const shares = pickShares(createP2cEwmaStrategy(), keys, mulberry32(42), PICKS);

    // Assert
    expect(shares.bad).toBeLessThan(0.1);
  });
});
