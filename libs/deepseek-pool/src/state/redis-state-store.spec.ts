import { jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import { RedisStateStore } from './redis-state-store.js';

/** A stand-in for the caller's ioredis client: the store duplicates it to open its own connections. */
function clientStub(): { client: Redis; duplicate: jest.Mock<() => never> } {
  const duplicate = jest.fn<() => never>(() => {
    throw new Error('connecting');
  });
  return { client: { duplicate } as unknown as Redis, duplicate };
}

describe('RedisStateStore lifecycle', () => {
  it('does no I/O in its constructor: the connections open at start()', async () => {
    const { client, duplicate } = clientStub();
    const store = new RedisStateStore({ redis: client });
    expect(duplicate).not.toHaveBeenCalled();

    await expect(store.start()).rejects.toThrow('connecting');
    expect(duplicate).toHaveBeenCalledTimes(1);
  });

  it('start() is idempotent', async () => {
    const { client, duplicate } = clientStub();
    const store = new RedisStateStore({ redis: client });
    const first = store.start();
    expect(store.start()).toBe(first);
    await first.catch(() => undefined);
    expect(duplicate).toHaveBeenCalledTimes(1);
  });

  it('serves from its local view before it is started (offline, never failing)', () => {
    const { client } = clientStub();
    const store = new RedisStateStore({ redis: client });
    store.cooldown('key:a', 1_000.2);
    store.disable('k1', { reason: 'manual', sinceMs: 1 });
    expect([store.online, store.cooldownUntil('key:a'), store.disabled('k1')?.reason]).toEqual([
      false,
      1_001,
      'manual',
    ]);
    expect(store.tryAcquireAccount('acct', 1)).toBe(true);
    expect(store.tryAcquireAccount('acct', 1)).toBe(false);
  });
});
