import { describe, expect, it } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { roundOrder } from '../../bench/overhead/rounds.js';

describe('roundOrder (the overhead suite runs its clients in a shuffled order each round)', () => {
  it.each([1, 2, 6])('orders %i variants as a permutation in every round', (count) => {
    // Arrange
    const rng = mulberry32(7);

    // Act
    const orders = Array.from({ length: 50 }, () => roundOrder(count, rng));

    // Assert
    const expected = Array.from({ length: count }, (_, index) => index);
    expect(orders.every((order) => [...order].sort((a, b) => a - b).join() === expected.join())).toBe(true);
  });

  it('gives no variant a fixed predecessor: over 200 rounds of 6, each follows each other one', () => {
    // Arrange
    const rng = mulberry32(1);
    const followed = new Set<string>();

    // Act
    let previous: number | undefined;
    for (let round = 0; round < 200; round++)
      for (const index of roundOrder(6, rng)) {
        if (previous !== undefined && previous !== index) followed.add(`${previous}>${index}`);
        previous = index;
      }

    // Assert
    expect(followed.size).toBe(6 * 5);
  });

  it('draws the same orders from the same seed', () => {
    // Arrange
    const [first, second] = [mulberry32(42), mulberry32(42)];

    // Act
    const orders = [0, 1].map(() => [roundOrder(6, first), roundOrder(6, second)]);

    // Assert
    expect(orders.map(([a, b]) => a.join() === b.join())).toEqual([true, true]);
  });
});
