import { describe, expect, it } from '@jest/globals';
import { ThresholdTracker, crossedThresholds } from './quota-thresholds.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const totals = (tokensPerDay: number, tokensPerMinute = 0) => ({ requestsPerMinute: 0, tokensPerMinute, tokensPerDay });

describe('crossedThresholds', () => {
  it.each<[string, number, number, number, number[]]>([
    ['none below 70%', 0, 69, 100, []],
    ['70 at exactly 70%', 0, 70, 100, [70]],
    ['every threshold jumped over, lowest first', 0, 96, 100, [70, 85, 95]],
    ['only those above the one already reported', 70, 90, 100, [85]],
    ['none once 95 is reported', 95, 100, 100, []],
  ])('%s', (_name, reported, used, max, expected) => {
    // Act / Assert
    expect(crossedThresholds(reported, used, max)).toEqual(expected);
  });
});

describe('ThresholdTracker', () => {
  it('reports each threshold of a daily budget once per day', () => {
    // Arrange
    const tracker = new ThresholdTracker();
    const limits = { tokensPerDay: 1_000 };

    // Act
    const first = tracker.check('key:a', limits, totals(700), T0);
    const again = tracker.check('key:a', limits, totals(720), T0 + 1_000);
    const higher = tracker.check('key:a', limits, totals(960), T0 + 2_000);
    const nextDay = tracker.check('key:a', limits, totals(750), T0 + 86_400_000);

    // Assert
    expect(first.map((c) => c.percent)).toEqual([70]);
    expect(again).toEqual([]);
    expect(higher.map((c) => c.percent)).toEqual([85, 95]);
    expect(nextDay).toEqual([{ scope: 'key:a', limit: 'tokensPerDay', percent: 70, used: 750, max: 1_000 }]);
  });

  it('reports a per-minute threshold again only after it fell below and a minute passed', () => {
    // Arrange
    const tracker = new ThresholdTracker();
    const limits = { tokensPerMinute: 100 };
    tracker.check('key:a', limits, totals(0, 80), T0);

    // Act
    const dippedSoon = tracker.check('key:a', limits, totals(0, 10), T0 + 10_000);
    const backSoon = tracker.check('key:a', limits, totals(0, 80), T0 + 20_000);
    const dippedLater = tracker.check('key:a', limits, totals(0, 10), T0 + 61_000);
    const backLater = tracker.check('key:a', limits, totals(0, 80), T0 + 62_000);

    // Assert
    expect([dippedSoon, backSoon, dippedLater]).toEqual([[], [], []]);
    expect(backLater.map((c) => [c.limit, c.percent])).toEqual([['tokensPerMinute', 70]]);
  });

  it('tracks scopes and limits apart', () => {
    // Arrange
    const tracker = new ThresholdTracker();

    // Act
    const crossings = [
      ...tracker.check(
        'key:a',
        { requestsPerMinute: 10, tokensPerDay: 100 },
        { requestsPerMinute: 9, tokensPerMinute: 0, tokensPerDay: 71 },
        T0,
      ),
      ...tracker.check('account:x', { tokensPerDay: 100 }, totals(99), T0),
    ];

    // Assert
    expect(crossings.map((c) => `${c.scope} ${c.limit} ${c.percent}`)).toEqual([
      'key:a requestsPerMinute 70',
      'key:a requestsPerMinute 85',
      'key:a tokensPerDay 70',
      'account:x tokensPerDay 70',
      'account:x tokensPerDay 85',
      'account:x tokensPerDay 95',
    ]);
  });
});
