import { describe, expect, it } from '@jest/globals';
import { BUCKET_MS, DAY_MS } from '../limits/usage-window.js';
import { UsageSync } from './usage-sync.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const B0 = T0 / BUCKET_MS;
const DAY = Math.floor(T0 / DAY_MS);

describe('UsageSync', () => {
  it('counts locally at once and sends what was counted since the last sync', () => {
    // Arrange
    const sync = new UsageSync();
    sync.add('key:a', { requests: 1, tokens: 100 }, T0);

    // Act
    const batch = sync.begin(T0);

    // Assert
    expect(sync.view('key:a').totals(T0)).toEqual({ requestsPerMinute: 1, tokensPerMinute: 100, tokensPerDay: 100 });
    expect(batch).toEqual([
      {
        scope: 'key:a',
        increments: [
          [`r:${B0}`, 1],
          [`t:${B0}`, 100],
          [`l:${B0}`, T0],
          [`d:${DAY}`, 100],
        ],
      },
    ]);
  });

  it("replaces the view by every replica's counts plus what was counted during the sync", () => {
    // Arrange
    const sync = new UsageSync();
    sync.add('key:a', { requests: 1, tokens: 100 }, T0);
    const batch = sync.begin(T0);
    sync.add('key:a', { requests: 1, tokens: 5 }, T0);

    // Act: Redis now holds this replica's 1 request and another replica's 2.
    sync.commit(batch, [[`r:${B0}`, '3', `t:${B0}`, '300', `d:${DAY}`, '300']], T0);

    // Assert
    expect(sync.view('key:a').totals(T0)).toEqual({ requestsPerMinute: 4, tokensPerMinute: 305, tokensPerDay: 305 });
    expect(sync.begin(T0)[0].increments).toEqual([
      [`r:${B0}`, 1],
      [`t:${B0}`, 5],
      [`l:${B0}`, T0],
      [`d:${DAY}`, 5],
    ]);
  });

  it('keeps the counts of a failed sync for the next one', () => {
    // Arrange
    const sync = new UsageSync();
    sync.add('key:a', { requests: 1, tokens: 100 }, T0);
    sync.begin(T0);
    sync.add('key:a', { requests: 1, tokens: 5 }, T0);

    // Act
    sync.abort(T0);

    // Assert
    expect(sync.begin(T0)[0].increments).toEqual([
      [`r:${B0}`, 2],
      [`t:${B0}`, 105],
      [`l:${B0}`, T0],
      [`d:${DAY}`, 105],
    ]);
    expect(sync.view('key:a').totals(T0).tokensPerDay).toBe(105);
  });

  it('syncs a scope that is only read, sending nothing for it', () => {
    // Arrange
    const sync = new UsageSync();
    sync.view('account:x');

    // Act / Assert
    expect(sync.begin(T0)).toEqual([{ scope: 'account:x', increments: [] }]);
  });
});
