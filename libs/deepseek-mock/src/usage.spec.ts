import { describe, expect, it } from '@jest/globals';
import { Account } from './account-limits.js';
import { ContextCache, prefixHashes } from './context-cache.js';
import { RateWindow } from './rate-window.js';
import { DEFAULT_PRICING, buildUsage, costOf, countTokens } from './usage.js';

describe('usage', () => {
  it('counts ceil(chars / 4) tokens and splits the prompt into cache hits and misses', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('abcde')).toBe(2);
    expect(buildUsage([3, 4, 5], 2, 6, 2)).toEqual({
      prompt_tokens: 12,
      completion_tokens: 8,
      total_tokens: 20,
      prompt_tokens_details: { cached_tokens: 7 },
      prompt_cache_hit_tokens: 7,
      prompt_cache_miss_tokens: 5,
      completion_tokens_details: { reasoning_tokens: 2 },
    });
    expect(buildUsage([3], 0, 1)).not.toHaveProperty('completion_tokens_details');
  });

  it('prices hits, misses and output per million tokens', () => {
    expect(costOf(buildUsage([1_000_000, 1_000_000], 1, 1_000_000), DEFAULT_PRICING)).toBeCloseTo(0.006 + 0.3 + 1.2);
  });
});

describe('ContextCache', () => {
  const msgs = (...texts: string[]) => texts.map((text, i) => ({ role: i % 2 ? 'assistant' : 'user', text }));

  it('hits the longest remembered prefix, never the last message', () => {
    const cache = new ContextCache();
    expect(cache.lookupAndStore(prefixHashes(msgs('a', 'b', 'c')))).toBe(0);
    expect(cache.lookupAndStore(prefixHashes(msgs('a', 'b', 'c')))).toBe(2);
    expect(cache.lookupAndStore(prefixHashes(msgs('a', 'b', 'c', 'd', 'e')))).toBe(3);
    expect(cache.lookupAndStore(prefixHashes(msgs('a', 'x', 'c')))).toBe(1);
    expect(cache.lookupAndStore(prefixHashes(msgs('z')))).toBe(0);
  });

  it('forgets everything when full instead of growing', () => {
    const cache = new ContextCache(3);
    cache.lookupAndStore(prefixHashes(msgs('a', 'b')));
    cache.lookupAndStore(prefixHashes(msgs('c', 'd')));
    expect(cache.lookupAndStore(prefixHashes(msgs('a', 'b')))).toBe(0);
  });
});

describe('Account', () => {
  it('spends the granted balance first and never goes below zero', () => {
    const account = new Account('a', { balance: 10, grantedBalance: 3 });
    account.charge(4);
    expect(account.balanceInfo()).toEqual({ currency: 'USD', total: 6, granted: 0, toppedUp: 6 });
    account.charge(100);
    expect(account.balance).toBe(0);
    expect(account.spent).toBe(104);
  });

  it('hands out concurrency slots up to the ceiling', () => {
    const account = new Account('a', { maxConcurrency: 1 });
    expect(account.tryAcquire()).toEqual({ ok: true });
    expect(account.tryAcquire()).toEqual({ ok: false, current: 2, limit: 1 });
    account.release();
    expect(account.tryAcquire()).toEqual({ ok: true });
    expect(account.peakInFlight).toBe(1);
  });
});

describe('RateWindow', () => {
  it('admits at most N requests per sliding window', () => {
    const window = new RateWindow();
    const limit = { requests: 2, windowMs: 100 };
    expect([0, 10, 20].map((t) => window.tryAdmit(limit, t))).toEqual([true, true, false]);
    expect(window.tryAdmit(limit, 100)).toBe(true);
    expect(window.tryAdmit(limit, 105)).toBe(false);
    expect(window.tryAdmit(limit, 111)).toBe(true);
  });
});
