import { describe, expect, it } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { candidate, pickShares } from './candidates.fixture.js';
import { createRoundRobinStrategy } from './round-robin.js';
import type { Candidate, Strategy } from './strategy.js';

const noRng = (): number => {
  throw new Error('round robin must not draw');
};

function sequence(strategy: Strategy, candidates: readonly Candidate[], picks: number): string {
  let ids = '';
  for (let i = 0; i < picks; i++) ids += strategy.pick(candidates, noRng).id;
  return ids;
}

function weighted(...weights: number[]): Candidate[] {
  return weights.map((weight, i) => candidate(String.fromCharCode(97 + i), { weight }));
}

describe('round-robin strategy', () => {
  it.each<[string, number[], string]>([
    ['interleaves weights 5,1,1 as a a b a c a a', [5, 1, 1], 'aabacaa'.repeat(2)],
    ['cycles through equal weights in order', [1, 1, 1], 'abc'.repeat(3)],
    ['alternates weights 2,1 without bursts', [2, 1], 'aba'.repeat(3)],
    ['always picks a lone candidate', [3], 'aaaa'],
  ])('%s', (_name, weights, expected) => {
    // Act
    const ids = sequence(createRoundRobinStrategy(), weighted(...weights), expected.length);

    // Assert
    expect(ids).toBe(expected);
  });

  it('honours weights 1:2:5 within 5% over 10,000 picks', () => {
    // Arrange
    const keys = weighted(1, 2, 5);

    // Act
    const shares = pickShares(createRoundRobinStrategy(), keys, mulberry32(42), 10_000);

    // Assert
    expect(shares.a).toBeCloseTo(1 / 8, 2);
    expect(shares.b).toBeCloseTo(2 / 8, 2);
    expect(shares.c).toBeCloseTo(5 / 8, 2);
  });

  it('keeps each id its turn when the candidate order changes between calls', () => {
    // Arrange
    const strategy = createRoundRobinStrategy();
    const keys = weighted(5, 1, 1);
    const reversed = [...keys].reverse();
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };

    // Act
    for (let i = 0; i < 700; i++) counts[strategy.pick(i % 2 ? keys : reversed, noRng).id]++;

    // Assert
    expect(counts).toEqual({ a: 500, b: 100, c: 100 });
  });

  it('gives a key that joins later its fair share from then on', () => {
    // Arrange
    const strategy = createRoundRobinStrategy();
    const [a, b, c] = weighted(1, 1, 1);
    sequence(strategy, [a, b], 11);

    // Act
    const ids = sequence(strategy, [a, b, c], 300);

    // Assert
    for (const id of 'abc') expect(ids.split(id).length - 1).toBe(100);
  });

  it('keeps serving after many short-lived ids have come and gone', () => {
    // Arrange
    const strategy = createRoundRobinStrategy();
    for (let i = 0; i < 5_000; i++) strategy.pick([candidate(`transient-${i}`)], noRng);

    // Act
    const ids = sequence(strategy, weighted(1, 1), 4);

    // Assert
    expect(ids).toBe('abab');
  });
});
