import { describe, expect, it } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import type { QuotaView } from '../limits/quota-guard.js';
import { MemoryStateStore } from '../state/memory-state-store.js';
import type { EligibilityContext } from './eligibility.js';
import type { RoutableKey } from '../keys/routable-key.js';
import { type RoutableKeyFields, routableKey } from '../keys/routable-key.fixture.js';
import { Router, type Unavailability } from './router.js';
import { createStrategy } from './strategies.js';
import type { StrategyName } from './strategy.js';

const NOW = 1_000_000;
const RESET_MS = 30_000;
const MODEL = 'deepseek-v4-flash';

/** A memory store that counts the per-key lookups routing makes (one `disabled()` per key looked at). */
class CountingStore extends MemoryStateStore {
  lookups = 0;
  readonly byKey = new Map<string, number>();
  override disabled(keyId: string) {
    this.lookups += 1;
    this.byKey.set(keyId, (this.byKey.get(keyId) ?? 0) + 1);
    return super.disabled(keyId);
  }
}

function keys(count: number, fields: (i: number) => RoutableKeyFields = () => ({})): RoutableKey[] {
  return Array.from({ length: count }, (_, i) => routableKey(`k${i}`, fields(i)));
}

function setup(list: readonly RoutableKey[], strategy: StrategyName = 'p2c-ewma', quota?: QuotaView) {
  const store = new CountingStore();
  const router = new Router<RoutableKey>(createStrategy(strategy), mulberry32(11), RESET_MS);
  router.setSlots(list);
  const ctx: EligibilityContext = { nowMs: NOW, store, accountLimit: () => Infinity, ...(quota ? { quota } : {}) };
  const pick = (
    tried: ReadonlySet<RoutableKey> = new Set(),
    affinityKey?: string,
    accepts?: (k: RoutableKey) => boolean,
  ) => router.pick(MODEL, tried, ctx, affinityKey, accepts)?.id;
  return { router, store, ctx, pick };
}

/** A quota view where each key has the headroom `headroom` gives it, and no key is blocked. */
function quotaOf(headroom: (id: string) => number): QuotaView {
  return {
    hasLimits: () => true,
    blocked: () => false,
    blockedForMs: () => 0,
    headroom: (key) => headroom(key.id),
  };
}

describe('Router (plain keys)', () => {
  it('looks at a handful of keys per p2c pick, however many keys there are', () => {
    // Arrange
    const { store, pick } = setup(keys(1_000));

    // Act
    for (let i = 0; i < 100; i++) pick();

    // Assert
    expect(store.lookups / 100).toBeLessThanOrEqual(4);
  });

  it('scans every key per pick for a strategy that compares them all (least-connections)', () => {
    // Arrange
    const { store, pick } = setup(keys(1_000), 'least-connections');

    // Act
    pick();

    // Assert
    expect(store.lookups).toBeGreaterThanOrEqual(1_000);
  });

  it('draws the keys of a p2c pair uniformly', () => {
    // Arrange
    const { store, pick } = setup(keys(4));

    // Act
    for (let i = 0; i < 2_000; i++) pick();

    // Assert
    const draws = [...store.byKey.values()];
    const total = draws.reduce((sum, n) => sum + n, 0);
    expect([...store.byKey.keys()].sort()).toEqual(['k0', 'k1', 'k2', 'k3']);
    for (const count of draws) expect(Math.abs(count / total - 0.25)).toBeLessThan(0.03);
  });

  it('never samples a disabled key, and falls back to the scan when the draws find fewer than two', () => {
    // Arrange
    const { store, pick } = setup(keys(10));
    for (let i = 0; i < 9; i++) store.disable(`k${i}`, { reason: 'manual', sinceMs: NOW });

    // Act
    const picked = new Set(Array.from({ length: 50 }, () => pick()));

    // Assert
    expect([...picked]).toEqual(['k9']);
  });

  it.each<[string, (i: number) => RoutableKeyFields, string[]]>([
    ['draining', (i) => ({ priority: i < 3 ? 0 : 1, draining: i < 3 }), ['k3', 'k4', 'k5']],
    ['breaker open', (i) => ({ priority: i < 3 ? 0 : 1, admits: i >= 3 }), ['k3', 'k4', 'k5']],
    ['saturated', (i) => ({ priority: i < 3 ? 0 : 1, inFlight: 2, maxConcurrency: i < 3 ? 2 : 3 }), ['k3', 'k4', 'k5']],
    ['not serving the model', (i) => ({ priority: i < 3 ? 0 : 1, models: i < 3 ? ['other'] : [MODEL] }), ['k3', 'k4']],
  ])('goes to the next priority group when the first has no eligible key (%s)', (_name, fields, expected) => {
    // Arrange
    const list = keys(6, fields).slice(0, expected.length + 3);
    const { pick } = setup(list);

    // Act
    const picked = new Set(Array.from({ length: 50 }, () => pick()));

    // Assert
    expect([...picked].sort()).toEqual(expected);
  });

  it.each<[StrategyName]>([['p2c-ewma'], ['least-connections'], ['round-robin']])(
    'skips the keys tried while another is eligible, and takes a tried one when none is left (%s)',
    (strategy) => {
      // Arrange
      const list = keys(3);
      const { pick } = setup(list, strategy);

      // Act
      const untried = pick(new Set([list[0], list[1]]));
      const retried = pick(new Set(list));

      // Assert
      expect(untried).toBe('k2');
      expect(retried).toBeDefined();
    },
  );

  it('picks only keys `accepts` takes, in any priority group', () => {
    // Arrange
    const { pick } = setup(keys(6, (i) => ({ priority: Math.floor(i / 2) })));

    // Act
    const picked = new Set(Array.from({ length: 30 }, () => pick(new Set(), undefined, (k) => k.priority === 1)));

    // Assert
    expect([...picked].sort()).toEqual(['k2', 'k3']);
  });

  it("keeps an affinity key on one account's keys", () => {
    // Arrange
    const { pick } = setup(keys(6, (i) => ({ account: `acct-${i % 3}` })));
    const accountOf = (id: string | undefined) => Number(id?.slice(1)) % 3;

    // Act
    const accounts = new Set(Array.from({ length: 30 }, () => accountOf(pick(new Set(), 'user-42'))));

    // Assert
    expect(accounts.size).toBe(1);
  });

  it("hands least-connections each key's latency against the fastest candidate", () => {
    // Arrange: equal load, one key ten times slower
    const { pick } = setup(
      keys(2, (i) => ({ latencyMs: i === 0 ? 1_000 : 100 })),
      'least-connections',
    );

    // Act
    const picked = new Set(Array.from({ length: 20 }, () => pick()));

    // Assert
    expect([...picked]).toEqual(['k1']);
  });

  it("hands quota-aware each key's headroom", () => {
    // Arrange
    const quota = quotaOf((id) => (id === 'k2' ? 0.9 : 0.1));
    const { pick } = setup(keys(3), 'quota-aware', quota);

    // Act
    const picked = Array.from({ length: 30 }, () => pick());

    // Assert
    expect(picked.filter((id) => id === 'k2').length).toBeGreaterThan(15);
  });

  it('never writes to a key (the keys are frozen: a write would throw)', () => {
    // Arrange
    const list = keys(5, (i) => ({ latencyMs: 50 * (i + 1) }));
    const quota = quotaOf(() => 0.5);

    // Act / Assert
    for (const strategy of ['p2c-ewma', 'least-connections', 'quota-aware', 'weighted-random'] as const) {
      const { pick } = setup(list, strategy, quota);
      expect(() => {
        for (let i = 0; i < 20; i++) pick(new Set([list[0]]), i % 2 === 0 ? 'user' : undefined);
      }).not.toThrow();
    }
  });

  it('picks nothing when no key is eligible', () => {
    // Arrange
    const { pick, store } = setup(keys(2));
    store.disable('k0', { reason: 'manual', sinceMs: NOW });
    store.disable('k1', { reason: 'revoked', sinceMs: NOW });

    // Act / Assert
    expect(pick()).toBeUndefined();
  });
});

describe('Router.unavailability', () => {
  it.each<[string, (store: MemoryStateStore) => void, RoutableKeyFields, Unavailability]>([
    [
      'a key eligible: nothing to wait for',
      () => undefined,
      {},
      { retryAfterMs: 0, rateLimited: false, reasons: {}, serving: 1 },
    ],
    [
      'cooling: rate limited, back when the cooldown ends',
      (store) => store.cooldown('key:k0', NOW + 1_500),
      {},
      { retryAfterMs: 1_500, rateLimited: true, reasons: { cooling: 1 }, serving: 1 },
    ],
    [
      'account cooling: the account cooldown counts',
      (store) => store.cooldown('account:a', NOW + 700),
      {},
      { retryAfterMs: 700, rateLimited: true, reasons: { cooling: 1 }, serving: 1 },
    ],
    [
      'breaker open: back when the reset timeout passes',
      () => undefined,
      { admits: false, openedAtMs: NOW - 10_000 },
      { retryAfterMs: RESET_MS - 10_000, rateLimited: false, reasons: { open: 1 }, serving: 1 },
    ],
    [
      'disabled: not expected back by itself',
      (store) => store.disable('k0', { reason: 'revoked', sinceMs: NOW }),
      {},
      { retryAfterMs: undefined, rateLimited: false, reasons: { disabled: 1 }, serving: 1 },
    ],
    [
      'saturated: rate limited, no time known',
      () => undefined,
      { inFlight: 1, maxConcurrency: 1 },
      { retryAfterMs: undefined, rateLimited: true, reasons: { saturated: 1 }, serving: 1 },
    ],
    [
      'the model is not served: no key serves it',
      () => undefined,
      { models: ['other'] },
      { retryAfterMs: undefined, rateLimited: false, reasons: {}, serving: 0 },
    ],
  ])('%s', (_name, arrange, fields, expected) => {
    // Arrange
    const { router, store, ctx } = setup([routableKey('k0', fields)]);
    arrange(store);

    // Act
    const why = router.unavailability(MODEL, ctx);

    // Assert
    expect(why).toEqual(expected);
  });

  it('counts keys `accepts` rejects as not serving', () => {
    // Arrange
    const { router, ctx } = setup(keys(3));

    // Act
    const why = router.unavailability(MODEL, ctx, (key) => key.id === 'k1');

    // Assert
    expect(why.serving).toBe(1);
  });
});
