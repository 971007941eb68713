import { describe, expect, it } from '@jest/globals';
import { DEFAULT_ESTIMATE_CORRECTION, EstimateCorrection } from './estimate-correction.js';

function after(answers: ReadonlyArray<[estimated: number, used: number]>): EstimateCorrection {
  const correction = new EstimateCorrection();
  for (const [estimated, used] of answers) correction.observe(estimated, used);
  return correction;
}

const times = (n: number, answer: [number, number]): Array<[number, number]> => Array.from({ length: n }, () => answer);

describe('EstimateCorrection', () => {
  it.each<[string, Array<[number, number]>, number]>([
    ['no answer yet: the raw estimate', [], 1],
    [
      'fewer answers than minSamples: still the raw estimate',
      times(DEFAULT_ESTIMATE_CORRECTION.minSamples - 1, [1_000, 500]),
      1,
    ],
    ['answers at 60% of their estimate', times(50, [1_000, 600]), 0.6],
    ['answers twice their estimate (prompts longer than chars/4 said)', times(50, [1_000, 2_000]), 2],
    ['answers far over their estimate: capped at max', times(50, [1_000, 9_000]), DEFAULT_ESTIMATE_CORRECTION.max],
    ['answers of almost nothing: floored at min', times(50, [1_000, 10]), DEFAULT_ESTIMATE_CORRECTION.min],
    [
      'a ratio of sums (0.525), not a mean of ratios (0.75)',
      times(25, [0, 0]).flatMap((): Array<[number, number]> => [
        [100, 100],
        [1_900, 950],
      ]),
      0.525,
    ],
    [
      'estimates of 0, negative or non-finite usage are ignored',
      [...times(50, [1_000, 500]), [0, 10], [10, -1], [10, Infinity]],
      0.5,
    ],
  ])('%s', (_name, answers, factor) => {
    // Act
    const correction = after(answers);

    // Assert
    expect(correction.factor()).toBeCloseTo(factor, 2);
  });

  it('forgets old answers: after a shift the factor follows the new ratio', () => {
    // Arrange
    const correction = after(times(200, [1_000, 300]));

    // Act
    for (let i = 0; i < 2_000; i++) correction.observe(1_000, 900);

    // Assert
    expect(correction.factor()).toBeCloseTo(0.9, 2);
  });

  it.each([
    [1, 1_000, 1_000],
    [0.5, 1_000, 500],
    [0.5, 1_001, 501],
    [0.25, 1, 1],
  ])('reserves ceil(estimate x factor), at least 1 token (factor %d, estimate %d)', (ratio, estimate, reserved) => {
    // Arrange
    const correction = ratio === 1 ? new EstimateCorrection() : after(times(50, [1_000, ratio * 1_000]));

    // Act / Assert
    expect(correction.reserve(estimate)).toBe(reserved);
  });
});
