import { describe, expect, it } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { candidate, pickShares, scriptedRng } from './candidates.fixture.js';
import { createLeastConnectionsStrategy } from './least-connections.js';
import type { Candidate } from './strategy.js';

describe('least-connections strategy', () => {
  it.each<[string, Candidate[], string]>([
    [
      'prefers the key with the most free capacity under a cap',
      [candidate('a', { inFlight: 8, maxConcurrency: 10 }), candidate('b', { inFlight: 2, maxConcurrency: 10 })],
      'b',
    ],
    [
      'compares free share, not free slots, across unequal caps',
      [candidate('a', { inFlight: 2, maxConcurrency: 4 }), candidate('b', { inFlight: 10, maxConcurrency: 40 })],
      'b',
    ],
    [
      'prefers fewer in flight when keys are uncapped',
      [candidate('a', { inFlight: 3 }), candidate('b', { inFlight: 1 })],
      'b',
    ],
    ['prefers the faster key', [candidate('a', { latencyMs: 200 }), candidate('b', { latencyMs: 100 })], 'b'],
    ['lets weight outbid a little load', [candidate('a', { weight: 3, inFlight: 1 }), candidate('b')], 'a'],
    [
      'treats an unmeasured latency as baseline speed',
      [candidate('a', { latencyMs: 0 }), candidate('b', { latencyMs: 200 })],
      'a',
    ],
    [
      'ignores latency while no baseline is known',
      [
        candidate('a', { latencyMs: 900, baselineLatencyMs: 0 }),
        candidate('b', { inFlight: 1, latencyMs: 10, baselineLatencyMs: 0 }),
      ],
      'a',
    ],
  ])('%s', (_name, candidates, expectedId) => {
    // Act (a scripted rng with no draws: a clear winner needs no tie-break)
    const picked = createLeastConnectionsStrategy().pick(candidates, scriptedRng());

    // Assert
    expect(picked.id).toBe(expectedId);
  });

  it.each<[string, number[], string]>([
    ['keeps the first of tied keys when the tie-break says so', [0.9, 0.9], 'a'],
    ['hands a tie to a later key when the tie-break says so', [0.9, 0.1], 'c'],
  ])('%s', (_name, draws, expectedId) => {
    // Arrange
    const keys = [candidate('a'), candidate('b'), candidate('c')];

    // Act
    const picked = createLeastConnectionsStrategy().pick(keys, scriptedRng(...draws));

    // Assert
    expect(picked.id).toBe(expectedId);
  });

  it('shares traffic evenly between equal keys', () => {
    // Arrange
    const keys = [candidate('a'), candidate('b'), candidate('c')];

    // Act
    const shares = pickShares(createLeastConnectionsStrategy(), keys, mulberry32(42), 9_000);

    // Assert
    for (const share of Object.values(shares)) expect(share).toBeCloseTo(1 / 3, 1);
  });
});
