import { describe, expect, it } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { candidate, pickShares, scriptedRng } from './candidates.fixture.js';
import { createQuotaAwareStrategy } from './quota-aware.js';
import type { Candidate } from './strategy.js';

const PICKS = 10_000;

describe('quota-aware strategy', () => {
  it('returns the only candidate without drawing', () => {
    // Arrange
    const only = candidate('a', { headroom: 0.01 });

    // Act
    const picked = createQuotaAwareStrategy().pick([only], scriptedRng());

    // Assert
    expect(picked).toBe(only);
  });

  // Draws 0 and 0 pick the first then the second qualifying candidate.
  it.each<[string, Candidate[], number[], string]>([
    [
      'keeps the one with more headroom',
      [candidate('a', { headroom: 0.3 }), candidate('b', { headroom: 0.8 })],
      [0, 0],
      'b',
    ],
    [
      'prefers headroom over load',
      [candidate('a', { headroom: 0.3 }), candidate('b', { headroom: 0.8, inFlight: 20 })],
      [0, 0],
      'b',
    ],
    [
      'breaks a near-tie (2 points) by load',
      [candidate('a', { headroom: 0.51, inFlight: 3 }), candidate('b', { headroom: 0.5 })],
      [0, 0],
      'b',
    ],
    [
      'breaks a near-tie by load per weight',
      [candidate('a', { inFlight: 2 }), candidate('b', { inFlight: 2, weight: 3 })],
      [0, 0],
      'b',
    ],
    ['keeps the first drawn on a full tie', [candidate('a'), candidate('b')], [0.5, 0], 'b'],
    [
      'spares a key inside its last 5% while another has more',
      [candidate('low', { headroom: 0.04 }), candidate('b', { headroom: 0.2 }), candidate('c', { headroom: 0.1 })],
      [0, 0],
      'b',
    ],
    [
      'uses keys inside their last 5% when all are',
      [candidate('a', { headroom: 0.01 }), candidate('b', { headroom: 0.04 })],
      [0, 0],
      'b',
    ],
    [
      'serves from the only key outside the reserve without drawing',
      [candidate('a', { headroom: 0.01 }), candidate('b', { headroom: 0.5 })],
      [],
      'b',
    ],
  ])('%s', (_name, candidates, draws, expectedId) => {
    // Act
    const picked = createQuotaAwareStrategy().pick(candidates, scriptedRng(...draws));

    // Assert
    expect(picked.id).toBe(expectedId);
  });

  it('spreads traffic evenly over keys with equal headroom', () => {
    // Arrange
    const keys = ['a', 'b', 'c', 'd'].map((id) => candidate(id, { headroom: 0.6 }));

    // Act
    const shares = pickShares(createQuotaAwareStrategy(), keys, mulberry32(42), PICKS);

    // Assert
    for (const share of Object.values(shares)) expect(Math.abs(share - 0.25)).toBeLessThan(0.03);
  });

  it('sends more to the roomier keys and nothing to one inside its reserve', () => {
    // Arrange
    const keys = [
      candidate('full', { headroom: 0.9 }),
      candidate('half', { headroom: 0.5 }),
      candidate('low', { headroom: 0.2 }),
      candidate('spent', { headroom: 0.03 }),
    ];

    // Act
    const shares = pickShares(createQuotaAwareStrategy(), keys, mulberry32(42), PICKS);

    // Assert
    expect(shares.full).toBeGreaterThan(shares.half);
    expect(shares.half).toBeGreaterThan(shares.low);
    expect(shares.spent).toBe(0);
  });

  it('drains unequal budgets together, stopping each key before it is exhausted', () => {
    // Arrange: five daily budgets of 10k..400k tokens, requests of 200..1,800 tokens.
    const budgets: Record<string, number> = { a: 10_000, b: 50_000, c: 100_000, d: 200_000, e: 400_000 };
    const used: Record<string, number> = Object.fromEntries(Object.keys(budgets).map((id) => [id, 0]));
    const rng = mulberry32(7);
    const strategy = createQuotaAwareStrategy();
    const live = (): Candidate[] =>
      Object.keys(budgets)
        .map((id) => candidate(id, { headroom: 1 - used[id] / budgets[id] }))
        .filter((c) => c.headroom > 0);

    // Act: serve until a request would not fit anywhere.
    for (;;) {
      const tokens = 200 + Math.floor(rng() * 1_600);
      const fitting = live().filter((c) => used[c.id] + tokens <= budgets[c.id]);
      if (fitting.length === 0) break;
      used[strategy.pick(fitting, rng).id] += tokens;
    }

    // Assert: every budget is nearly spent, none overdrawn.
    const total = Object.values(budgets).reduce((a, b) => a + b, 0);
    const spent = Object.values(used).reduce((a, b) => a + b, 0);
    expect(spent / total).toBeGreaterThan(0.98);
    for (const id of Object.keys(budgets)) expect(used[id]).toBeLessThanOrEqual(budgets[id]);
  });
});
