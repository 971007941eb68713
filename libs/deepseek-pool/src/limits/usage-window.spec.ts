import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  BUCKET_MS,
  DAY_MS,
  MINUTE_MS,
  type UsageLimits,
  UsageWindow,
  WINDOW_BUCKETS,
  bucketOf,
} from './usage-window.js';

/** Noon UTC, on a bucket boundary (1 s buckets; a bucket leaves a minute after its latest count). */
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIDNIGHT = Date.UTC(2026, 0, 16);

function window(...adds: Array<[atMs: number, requests: number, tokens: number]>): UsageWindow {
  const w = new UsageWindow();
  for (const [atMs, requests, tokens] of adds) w.add({ requests, tokens }, atMs);
  return w;
}

describe('UsageWindow', () => {
  it.each<[string, UsageWindow, number, { requestsPerMinute: number; tokensPerMinute: number; tokensPerDay: number }]>([
    ['counts nothing when empty', window(), T0, { requestsPerMinute: 0, tokensPerMinute: 0, tokensPerDay: 0 }],
    [
      'sums requests and tokens of the last minute',
      window([T0, 1, 100], [T0 + 30_000, 2, 50]),
      T0 + 30_000,
      { requestsPerMinute: 3, tokensPerMinute: 150, tokensPerDay: 150 },
    ],
    [
      'keeps a count for 60 s',
      window([T0 + 999, 1, 10]),
      T0 + 60_998,
      { requestsPerMinute: 1, tokensPerMinute: 10, tokensPerDay: 10 },
    ],
    [
      'drops a count a minute after it was made, as an upstream counting the last 60 s does',
      window([T0 + 999, 1, 10]),
      T0 + 60_999,
      { requestsPerMinute: 0, tokensPerMinute: 0, tokensPerDay: 10 },
    ],
    [
      'keeps a whole bucket while its latest count is under a minute old',
      window([T0, 1, 10], [T0 + 900, 1, 5]),
      T0 + 60_500,
      { requestsPerMinute: 2, tokensPerMinute: 15, tokensPerDay: 15 },
    ],
    [
      'drops the bucket once its latest count is a minute old',
      window([T0, 1, 10], [T0 + 900, 1, 5]),
      T0 + 60_900,
      { requestsPerMinute: 0, tokensPerMinute: 0, tokensPerDay: 15 },
    ],
    [
      'drops a count 61 s after its bucket started',
      window([T0, 1, 10]),
      T0 + 61_000,
      { requestsPerMinute: 0, tokensPerMinute: 0, tokensPerDay: 10 },
    ],
    [
      'starts the daily total again at midnight UTC',
      window([MIDNIGHT - 1_000, 1, 10]),
      MIDNIGHT + 1_000,
      { requestsPerMinute: 1, tokensPerMinute: 10, tokensPerDay: 0 },
    ],
    [
      'applies a correction where its estimate landed',
      window([T0, 1, 1_000], [T0, 0, -700]),
      T0 + 20_000,
      { requestsPerMinute: 1, tokensPerMinute: 300, tokensPerDay: 300 },
    ],
    [
      'drops a correction whose bucket has been reused since',
      window([T0, 1, 1_000], [T0 + 61_000, 1, 5], [T0, 0, -700]),
      T0 + 61_000,
      { requestsPerMinute: 1, tokensPerMinute: 5, tokensPerDay: 305 },
    ],
  ])('%s', (_name, w, nowMs, expected) => {
    // Act
    const totals = w.totals(nowMs);

    // Assert
    expect(totals).toEqual(expected);
  });

  it.each<[string, UsageWindow, UsageLimits, number, number]>([
    ['is within limits under every limit', window([T0, 1, 100]), { requestsPerMinute: 2, tokensPerMinute: 200 }, T0, 0],
    [
      'frees a minute after the oldest count',
      window([T0, 1, 0], [T0 + 20_000, 1, 0]),
      { requestsPerMinute: 2 },
      T0 + 30_000,
      30_000,
    ],
    [
      'frees a minute after the latest count of the oldest bucket',
      window([T0, 1, 0], [T0 + 700, 1, 0], [T0 + 20_000, 1, 0]),
      { requestsPerMinute: 2 },
      T0 + 30_000,
      30_700,
    ],
    [
      'waits for as many buckets as it takes to get under',
      window([T0, 1, 60], [T0 + 10_000, 1, 60], [T0 + 20_000, 1, 60]),
      { tokensPerMinute: 100 },
      T0 + 30_000,
      40_000,
    ],
    [
      'waits for the later of two per-minute limits',
      window([T0, 5, 0], [T0 + 10_000, 0, 100]),
      { requestsPerMinute: 5, tokensPerMinute: 100 },
      T0 + 20_000,
      50_000,
    ],
    [
      'counts from the bucket after one that already left the window',
      window([T0, 1, 0], [T0 + 30_000, 1, 0]),
      { requestsPerMinute: 1 },
      T0 + 60_000,
      30_000,
    ],
    [
      'waits for midnight UTC once the daily budget is spent',
      window([T0, 1, 1_000]),
      { tokensPerDay: 1_000 },
      T0 + 1_000,
      MIDNIGHT - T0 - 1_000,
    ],
    ['ignores limits that are not set', window([T0, 100, 100_000]), {}, T0, 0],
  ])('%s', (_name, w, limits, nowMs, expectedMs) => {
    // Act
    const waitMs = w.msUntilWithin(limits, nowMs);

    // Assert
    expect(waitMs).toBe(expectedMs);
  });

  it('merges another window, keeping only what is still in the window', () => {
    // Arrange
    const target = window([T0 + 60_000, 1, 10]);
    const other = window([T0, 1, 100], [T0 + 55_000, 2, 20]);

    // Act
    target.merge(other, T0 + 61_000);

    // Assert
    expect(target.totals(T0 + 61_000)).toEqual({ requestsPerMinute: 3, tokensPerMinute: 30, tokensPerDay: 130 });
  });

  it('lists the live buckets and the day total for writing elsewhere', () => {
    // Arrange
    const w = window([T0, 1, 100], [T0 + BUCKET_MS, 2, 20]);

    // Act
    const entries = w.entries(T0 + 10_000);

    // Assert
    expect(entries.day).toBe(Math.floor(T0 / DAY_MS));
    expect(entries.dayTokens).toBe(120);
    expect([...entries.buckets].sort((a, b) => a.index - b.index)).toEqual([
      { index: T0 / BUCKET_MS, requests: 1, tokens: 100, lastAtMs: T0 },
      { index: T0 / BUCKET_MS + 1, requests: 2, tokens: 20, lastAtMs: T0 + BUCKET_MS },
    ]);
  });
});

describe('UsageWindow running sums', () => {
  it('always read what a recount of the live buckets gives, whatever the order of adds, corrections and reads', () => {
    // Arrange: steps forward in time; each adds (possibly for a past moment, as corrections do) or reads.
    const step = fc.record({
      advanceMs: fc.integer({ min: 0, max: 9_000 }),
      backMs: fc.integer({ min: 0, max: 70_000 }),
      requests: fc.integer({ min: -1, max: 3 }),
      tokens: fc.integer({ min: -500, max: 2_000 }),
      read: fc.boolean(),
    });

    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const w = new UsageWindow();
        const accepted: Array<{ index: number; requests: number; tokens: number }> = [];
        // The model: the latest moment counted per bucket, and the newest bucket out of the window (never moves back).
        const lastAt = new Map<number, number>();
        let evicted = -Infinity;
        const evictAt = (ms: number): void => {
          const edge = bucketOf(ms) - WINDOW_BUCKETS + 1;
          evicted = Math.max(evicted, (lastAt.get(edge) ?? Infinity) <= ms - MINUTE_MS ? edge : edge - 1);
        };
        let nowMs = T0;
        for (const s of steps) {
          nowMs += s.advanceMs;
          if (s.read) {
            // Act
            const totals = w.totals(nowMs);
            evictAt(nowMs);
            const live = accepted.filter((e) => e.index > evicted);

            // Assert
            expect(totals.requestsPerMinute).toBe(
              Math.max(
                0,
                live.reduce((sum, e) => sum + e.requests, 0),
              ),
            );
            expect(totals.tokensPerMinute).toBe(
              Math.max(
                0,
                live.reduce((sum, e) => sum + e.tokens, 0),
              ),
            );
          } else {
            const atMs = nowMs - s.backMs;
            w.add({ requests: s.requests, tokens: s.tokens }, atMs);
            evictAt(atMs);
            if (bucketOf(atMs) > evicted) {
              accepted.push({ index: bucketOf(atMs), requests: s.requests, tokens: s.tokens });
              lastAt.set(bucketOf(atMs), Math.max(lastAt.get(bucketOf(atMs)) ?? -Infinity, atMs));
            }
          }
        }
      }),
    );
  });
});
