import { describe, expect, it } from '@jest/globals';
import { MemoryStateStore } from '../state/memory-state-store.js';
import { QuotaGuard, headroomOf } from './quota-guard.js';
import type { UsageLimits } from './usage-window.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const key = (limits?: UsageLimits, account = 'acct') => ({
  id: 'a',
  config: { account, limits },
  keyScope: 'key:a',
  accountScope: `account:${account}`,
});

describe('headroomOf', () => {
  it.each<[string, UsageLimits, [number, number, number], number]>([
    ['is 1 without limits', {}, [50, 5_000, 90_000], 1],
    ['is the share left of a single limit', { tokensPerDay: 1_000 }, [0, 0, 250], 0.75],
    ['is the tightest of several limits', { requestsPerMinute: 10, tokensPerMinute: 1_000 }, [9, 100, 0], 0.1],
    ['never goes below 0', { tokensPerMinute: 100 }, [0, 150, 0], 0],
  ])('%s', (_name, limits, [requestsPerMinute, tokensPerMinute, tokensPerDay], expected) => {
    // Act / Assert
    expect(headroomOf(limits, { requestsPerMinute, tokensPerMinute, tokensPerDay })).toBeCloseTo(expected, 10);
  });
});

describe('QuotaGuard', () => {
  function guard(accountLimits: Record<string, UsageLimits> = {}): { store: MemoryStateStore; subject: QuotaGuard } {
    const store = new MemoryStateStore();
    return { store, subject: new QuotaGuard(store, new Map(Object.entries(accountLimits))) };
  }

  it('lets a key without limits through without reading any counter', () => {
    // Arrange
    const { store, subject } = guard();
    store.addUsage('key:a', { requests: 1_000, tokens: 1e9 }, T0);

    // Act / Assert
    expect([subject.blocked(key(), T0), subject.blockedForMs(key(), T0), subject.headroom(key(), T0)]).toEqual([
      false,
      0,
      1,
    ]);
  });

  it('blocks a key over its own limit until the window frees', () => {
    // Arrange
    const { store, subject } = guard();
    store.addUsage('key:a', { requests: 2, tokens: 10 }, T0);

    // Act / Assert
    expect(subject.blocked(key({ requestsPerMinute: 2 }), T0 + 1_000)).toBe(true);
    expect(subject.blockedForMs(key({ requestsPerMinute: 2 }), T0 + 1_000)).toBe(59_000);
  });

  it("blocks every key of an account over the account's limit", () => {
    // Arrange
    const { store, subject } = guard({ acct: { tokensPerMinute: 100 } });
    store.addUsage('account:acct', { requests: 1, tokens: 100 }, T0);

    // Act / Assert
    expect(subject.blocked(key(undefined), T0)).toBe(true);
    expect(subject.blocked(key(undefined, 'other'), T0)).toBe(false);
  });

  it.each<[string, UsageLimits | undefined, string, boolean]>([
    ['a key with its own limits', { requestsPerMinute: 1 }, 'other', true],
    ['a key of an account with limits', undefined, 'acct', true],
    ['a key without either', undefined, 'other', false],
  ])('tells that %s has limits', (_name, limits, account, expected) => {
    // Arrange
    const { subject } = guard({ acct: { tokensPerDay: 1 } });

    // Act / Assert
    expect(subject.hasLimits(key(limits, account))).toBe(expected);
  });

  it('reports the lower headroom of the key and its account', () => {
    // Arrange
    const { store, subject } = guard({ acct: { tokensPerDay: 1_000 } });
    store.addUsage('key:a', { requests: 1, tokens: 100 }, T0);
    store.addUsage('account:acct', { requests: 1, tokens: 600 }, T0);

    // Act
    const headroom = subject.headroom(key({ tokensPerDay: 500 }), T0);

    // Assert
    expect(headroom).toBeCloseTo(0.4, 10);
  });
});
