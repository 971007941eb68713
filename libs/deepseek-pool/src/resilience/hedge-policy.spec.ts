import { describe, expect, it } from '@jest/globals';
import {
  type HedgeCheck,
  hedgeDelayMs,
  hedgeSkip,
  lostRaceLatencyMs,
  lowYield,
  maxTokensClass,
} from './hedge-policy.js';

const OPEN: HedgeCheck = {
  attemptsLeft: 2,
  remainingMs: 60_000,
  expectedMs: 500,
  budget: 3,
  lowYield: false,
  lowYieldSkips: 0,
};

describe('hedgeSkip', () => {
  it.each([
    ['everything allows it', {}, undefined],
    ['no attempt left', { attemptsLeft: 0 }, 'max-attempts'],
    ['the deadline comes before an answer could', { remainingMs: 499 }, 'deadline'],
    ['just enough time left', { remainingMs: 500 }, undefined],
    ['less than one hedge in the budget', { budget: 0.99 }, 'budget'],
    ['exactly one hedge in the budget', { budget: 1 }, undefined],
    ['several vetoes: attempts first', { attemptsLeft: 0, budget: 0 }, 'max-attempts'],
    ["the key's hedges are throttled", { lowYield: true }, 'low-yield'],
    ['the same, 8 skipped since the last hedge', { lowYield: true, lowYieldSkips: 8 }, 'low-yield'],
    ['the same, 9 skipped: the tenth is a probe', { lowYield: true, lowYieldSkips: 9 }, undefined],
    ['the budget before the yield', { lowYield: true, budget: 0 }, 'budget'],
  ] as const)('%s', (_, change, expected) => {
    expect(hedgeSkip({ ...OPEN, ...change })).toBe(expected);
  });
});

describe('lowYield', () => {
  it.each([
    ['no race yet', { calls: 0, failures: 0 }, 0.25, false],
    ['19 races, all lost: too few to judge', { calls: 19, failures: 19 }, 0.25, false],
    ['20 races, all lost', { calls: 20, failures: 20 }, 0.25, true],
    ['20 races, 4 won (0.2)', { calls: 20, failures: 16 }, 0.25, true],
    ['20 races, 5 won (0.25): just enough', { calls: 20, failures: 15 }, 0.25, false],
    ['all lost, minYield 0', { calls: 100, failures: 100 }, 0, false],
    ['all won, minYield 1', { calls: 100, failures: 0 }, 1, false],
    ['one lost of 100, minYield 1', { calls: 100, failures: 1 }, 1, true],
  ] as const)('not throttled yet: %s -> %s', (_, races, minYield, expected) => {
    expect(lowYield(races, minYield, false)).toBe(expected);
  });

  it.each([
    ['the window forgot every race', { calls: 0, failures: 0 }, 0.25, true],
    ['a probe won, alone in the window: 1 of at least 20', { calls: 1, failures: 0 }, 0.25, true],
    ['4 probes won of 4', { calls: 4, failures: 0 }, 0.25, true],
    ['5 probes won of 5: a quarter of 20', { calls: 5, failures: 0 }, 0.25, false],
    ['5 won of 21', { calls: 21, failures: 16 }, 0.25, true],
    ['6 won of 24 (0.25)', { calls: 24, failures: 18 }, 0.25, false],
    ['minYield 0 (the check off)', { calls: 0, failures: 0 }, 0, false],
  ] as const)('throttled: %s -> %s', (_, races, minYield, expected) => {
    expect(lowYield(races, minYield, true)).toBe(expected);
  });
});

describe('hedgeDelayMs', () => {
  const bounds = { floorMs: 10, capMs: 10_000 };
  it.each([
    ['the percentile within bounds', bounds, 250, 250],
    ['below the floor', bounds, 3, 10],
    ['above the cap', bounds, 60_000, 10_000],
    ['no sample: the cap', bounds, undefined, 10_000],
    ['fixed wins over the percentile', { ...bounds, fixedMs: 700 }, 250, 700],
    ['fixed with no samples', { ...bounds, fixedMs: 700 }, undefined, 700],
  ] as const)('%s', (_, settings, percentile, expected) => {
    expect(hedgeDelayMs(settings, percentile)).toBe(expected);
  });
});

describe('lostRaceLatencyMs', () => {
  it.each([
    ['a hedge that was merely late tells nothing', 30, 50, 20, undefined],
    ['exactly the expected time tells nothing', 50, 50, 20, undefined],
    ['a slow key past the expected time: the failure floor', 60, 50, 20, 1_000],
    ['a long stall: twice what it ran', 8_000, 5_000, 3_000, 16_000],
    ['a key estimated slower still: twice its estimate', 6_000, 5_000, 9_000, 18_000],
  ] as const)('%s', (_, elapsed, expected, estimate, sample) => {
    expect(lostRaceLatencyMs(elapsed, expected, estimate)).toBe(sample);
  });
});

describe('maxTokensClass', () => {
  it.each([
    [undefined, 'default'],
    [1, '<=256'],
    [256, '<=256'],
    [257, '<=1024'],
    [4_096, '<=4096'],
    [16_384, '<=16384'],
    [16_385, '>16384'],
  ] as const)('%s -> %s', (maxTokens, expected) => {
    expect(maxTokensClass(maxTokens)).toBe(expected);
  });
});
