import { describe, expect, it } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { interleave, roundOrder } from '../../bench/overhead/rounds.js';
import type { Variant } from '../../bench/overhead/variants.js';

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

describe('interleave (the rounds of one worker)', () => {
  /** A client whose calls end at once: durations do not matter here, only what is recorded. */
  const instant = (name: string): Variant => ({
    name,
    call: () => Promise.resolve(process.hrtime.bigint()),
    close: () => Promise.resolve(),
  });
  const plan = { concurrency: 2, rounds: 3, warmupRounds: 1, perRound: 5 };

  it("returns each client's histogram of its measured calls when the plan asks for it, for merging runs", async () => {
    // Act
    const result = await interleave([instant('a'), instant('b')], { ...plan, histograms: true });

    // Assert: the warm-up round's calls are not in it
    for (const name of ['a', 'b']) {
      const encoded = result[name].histogram;
      expect(encoded).toEqual(expect.any(String));
      expect(decodeFromCompressedBase64(encoded as string).totalCount).toBe(15);
      expect(result[name]).toMatchObject({ count: 15, rounds: expect.any(Array) });
      expect(result[name].rounds).toHaveLength(3);
    }
  });

  it('leaves the histograms out otherwise', async () => {
    // Act
    const result = await interleave([instant('a')], plan);

    // Assert
    expect(result.a).not.toHaveProperty('histogram');
    expect(result.a.count).toBe(15);
  });
});
