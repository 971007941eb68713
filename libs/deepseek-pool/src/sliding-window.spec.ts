import { describe, expect, it } from '@jest/globals';
import { SlidingWindow } from './sliding-window.js';

describe('SlidingWindow (lazy rotation from the clock)', () => {
  it.each([
    { at: [0, 5_999], readAt: 6_000, expected: { calls: 2, failures: 1 }, why: 'both buckets still in the window' },
    { at: [0, 30_000], readAt: 59_999, expected: { calls: 2, failures: 1 }, why: 'just under a window later' },
    { at: [0, 30_000], readAt: 60_000, expected: { calls: 1, failures: 0 }, why: 'the first bucket left the window' },
    { at: [0, 30_000], readAt: 200_000, expected: { calls: 0, failures: 0 }, why: 'everything left the window' },
    {
      at: [0, 60_000],
      readAt: 60_000,
      expected: { calls: 1, failures: 0 },
      why: 'a reused slot is reset before it is written',
    },
  ])('$why', ({ at, readAt, expected }) => {
    const window = new SlidingWindow(60_000, 10);
    at.forEach((ms, i) => window.record(ms, i === 0));
    expect(window.totals(readAt)).toEqual(expected);
  });
});
