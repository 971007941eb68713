import { afterEach, describe, expect, it } from '@jest/globals';
import { seededRng } from '../clock.js';
import type { DeepSeekPoolOptions } from '../deepseek-pool.options.js';
import { type DeepSeekPool, createDeepSeekPool } from '../create-deepseek-pool.js';
import { MemoryStateStore } from '../state/memory-state-store.js';
import { ScriptedTransport, completion } from '../transport/scripted.transport.fixture.js';

const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }] };

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

function apiKey(i: number): string {
  return `sk-router-${String(i).padStart(12, '0')}`;
}

describe('Router (through DeepSeekPoolService, scripted upstream)', () => {
  const pools: DeepSeekPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });

  function pool(count: number, options: Partial<DeepSeekPoolOptions> = {}) {
    const transport = new ScriptedTransport();
    for (let i = 0; i < count; i++) transport.script(apiKey(i), { status: 200, body: completion() });
    const store = new CountingStore();
    const keys = Array.from({ length: count }, (_, i) => ({ id: `k${i}`, apiKey: apiKey(i) }));
    const created = createDeepSeekPool({
      transport,
      store,
      logger: false,
      probe: false,
      validateOnStart: false,
      rng: seededRng(11),
      keys,
      ...options,
    });
    pools.push(created);
    return { service: created.pool, admin: created.admin, store };
  }

  it('looks at a handful of keys per p2c pick, however many keys there are', async () => {
    const { service, store } = pool(1_000);

    store.lookups = 0;
    for (let i = 0; i < 100; i++) await service.chat(request);

    expect(store.lookups / 100).toBeLessThanOrEqual(4);
  });

  it('scans every key per pick for a strategy that compares them all (least-connections)', async () => {
    const { service, store } = pool(1_000, { strategy: 'least-connections' });

    store.lookups = 0;
    await service.chat(request);

    expect(store.lookups).toBeGreaterThanOrEqual(1_000);
  });

  it('draws the keys of a p2c pair uniformly', async () => {
    const { service, store } = pool(4);

    store.byKey.clear();
    for (let i = 0; i < 2_000; i++) await service.chat(request);

    const draws = [...store.byKey.values()];
    const total = draws.reduce((sum, n) => sum + n, 0);
    expect([...store.byKey.keys()].sort()).toEqual(['k0', 'k1', 'k2', 'k3']);
    for (const count of draws) expect(Math.abs(count / total - 0.25)).toBeLessThan(0.03);
  });

  it('never samples a disabled key, and falls back to the scan when the draws find fewer than two', async () => {
    const { service, admin } = pool(10);
    for (let i = 0; i < 9; i++) admin.disableKey(`k${i}`);

    const keys = new Set<string>();
    for (let i = 0; i < 50; i++) keys.add((await service.chat(request)).meta.keyId);

    expect([...keys]).toEqual(['k9']);
  });

  it('goes to the next priority tier when the first has no eligible key', async () => {
    const keys = Array.from({ length: 6 }, (_, i) => ({ id: `k${i}`, apiKey: apiKey(i), priority: i < 3 ? 0 : 1 }));
    const { service, admin } = pool(6, { keys });
    for (let i = 0; i < 3; i++) admin.disableKey(`k${i}`);

    const { meta } = await service.chat(request);

    expect(['k3', 'k4', 'k5']).toContain(meta.keyId);
  });

  it.each<[string, number[] | undefined, string[]]>([
    ['every tier without `tiers`: the first tier serves', undefined, ['k0', 'k1']],
    ['only the tiers a call may use: tier 1', [1], ['k2', 'k3']],
    ['several tiers: the first allowed one serves', [1, 2], ['k2', 'k3']],
  ])('%s', async (_name, tiers, expected) => {
    // Arrange: tiers 0, 1 and 2 of two keys each, every key healthy
    const keys = Array.from({ length: 6 }, (_, i) => ({ id: `k${i}`, apiKey: apiKey(i), priority: Math.floor(i / 2) }));
    const { service } = pool(6, { keys });

    // Act
    const served = new Set<string>();
    for (let i = 0; i < 20; i++) served.add((await service.chat(request, tiers ? { tiers } : {})).meta.keyId);

    // Assert
    expect([...served].sort()).toEqual(expected);
  });

  it('reports no key for a call whose tiers have no eligible key, though other tiers do', async () => {
    const keys = Array.from({ length: 4 }, (_, i) => ({ id: `k${i}`, apiKey: apiKey(i), priority: i < 2 ? 0 : 1 }));
    const { service, admin } = pool(4, { keys, maxWaitForKeyMs: 0 });
    admin.disableKey('k2');
    admin.disableKey('k3');

    await expect(service.chat(request, { tiers: [1] })).rejects.toThrow(
      'No key can serve model "deepseek-v4-flash" now (2 disabled)',
    );
  });
});
