import { Redis } from 'ioredis';
import type { StateChange } from 'nestjs-deepseek-pool';
import { RedisStateStore, type RedisStateStoreOptions } from 'nestjs-deepseek-pool/redis';
import { useRedisServer } from '../support/redis-server.js';
import { sleep, waitFor } from './support/wait.js';

/** Two (or more) replicas' stores on one real redis-server, each test under its own key prefix. */
describe('RedisStateStore (real redis-server)', () => {
  const redis = useRedisServer();
  let admin: Redis;
  let stores: RedisStateStore[];
  let prefix: string;
  let run = 0;

  beforeAll(() => {
    admin = new Redis(redis.url, { maxRetriesPerRequest: null });
  });

  afterAll(() => {
    admin.disconnect();
  });

  beforeEach(() => {
    stores = [];
    prefix = `t${++run}:`;
  });

  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });

  async function replica(options: Partial<RedisStateStoreOptions> = {}): Promise<RedisStateStore> {
    const store = new RedisStateStore({ redis: redis.url, prefix, syncIntervalMs: 100, ...options });
    stores.push(store);
    await store.ready();
    return store;
  }

  function changes(store: RedisStateStore): StateChange[] {
    const seen: StateChange[] = [];
    store.onChange((change) => seen.push(change));
    return seen;
  }

  it('shows a cooldown set by one replica to the other within 1 s', async () => {
    // Arrange
    const [a, b] = [await replica({ syncIntervalMs: 10_000 }), await replica({ syncIntervalMs: 10_000 })];
    const untilMs = Date.now() + 30_000;

    // Act
    a.cooldown('key:k1', untilMs);
    const tookMs = await waitFor(
      () => b.cooldownUntil('key:k1') === untilMs,
      'the cooldown on the other replica',
      1_000,
    );

    // Assert
    expect(tookMs).toBeLessThan(1_000);
  });

  it('keeps the later deadline whichever replica sets which, even concurrently', async () => {
    // Arrange
    const [a, b] = [await replica(), await replica()];
    const now = Date.now();

    // Act
    a.cooldown('account:x', now + 10_000);
    b.cooldown('account:x', now + 5_000);
    for (let i = 0; i < 20; i++) (i % 2 === 0 ? a : b).cooldown('key:k', now + 1_000 * (i + 1));
    await waitFor(
      () =>
        [a, b].every((s) => s.cooldownUntil('key:k') === now + 20_000 && s.cooldownUntil('account:x') === now + 10_000),
      'both replicas on the latest deadlines',
    );

    // Assert
    expect(Number(await admin.hget(`${prefix}cooldowns`, 'key:k'))).toBe(now + 20_000);
    expect(Number(await admin.hget(`${prefix}cooldowns`, 'account:x'))).toBe(now + 10_000);
  });

  it('shares disables with their reason, and enables', async () => {
    // Arrange
    const [a, b] = [await replica(), await replica()];
    const seenByB = changes(b);

    // Act
    a.disable('k1', { reason: 'revoked', sinceMs: 1 });
    await waitFor(() => b.disabled('k1') !== undefined, 'the disable on the other replica');
    b.enable('k1');
    await waitFor(() => a.disabled('k1') === undefined, 'the enable on the first replica');

    // Assert
    expect(seenByB).toContainEqual({ type: 'disable', keyId: 'k1', state: { reason: 'revoked', sinceMs: 1 } });
    expect(await admin.hlen(`${prefix}disabled`)).toBe(0);
  });

  it('repairs a change whose message was lost at the next sync', async () => {
    // Arrange
    const b = await replica();

    // Act: written straight into Redis, no message published.
    await admin.hset(`${prefix}disabled`, 'k9', JSON.stringify({ reason: 'insufficient-balance', sinceMs: 2 }));
    await waitFor(() => b.disabled('k9') !== undefined, 'the sync to pick the disable up', 1_000);
    await admin.hdel(`${prefix}disabled`, 'k9');

    // Assert
    await waitFor(() => b.disabled('k9') === undefined, 'the sync to pick the enable up', 1_000);
  });

  it('holds an account limit across replicas under concurrent acquires', async () => {
    // Arrange
    const replicas = [await replica(), await replica(), await replica()];
    const LIMIT = 4;
    let inFlight = 0;
    let peak = 0;
    let served = 0;

    // Act: 3 replicas x 20 workers, 10 slots each, holding a slot 1-5 ms.
    await Promise.all(
      replicas.flatMap((store, r) =>
        Array.from({ length: 20 }, async (_, w) => {
          for (let done = 0; done < 10;) {
            if (!(await store.tryAcquireAccount('acct', LIMIT))) {
              await sleep(1);
              continue;
            }
            peak = Math.max(peak, ++inFlight);
            await sleep(1 + ((r + w + done) % 5));
            inFlight--;
            store.releaseAccount('acct');
            done++;
            served++;
          }
        }),
      ),
    );

    // Assert
    expect(served).toBe(600);
    expect(peak).toBeLessThanOrEqual(LIMIT);
    await waitFor(() => replicas.every((s) => s.accountInFlight('acct') === 0), 'every slot back');
  });

  it("frees a crashed replica's slots when their leases expire", async () => {
    // Arrange: a replica that died holding both slots, leases expiring in 400 ms.
    const b = await replica();
    // TIME answers two strings (ioredis types them as numbers)
    const [seconds, micros] = (await admin.call('TIME')) as [string, string];
    const expiry = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + 400;
    await admin.zadd(`${prefix}leases:acct`, expiry, 'dead#1', expiry, 'dead#2');

    // Act
    const whileAlive = await b.tryAcquireAccount('acct', 2);
    await sleep(500);
    const afterExpiry = await b.tryAcquireAccount('acct', 2);

    // Assert
    expect([whileAlive, afterExpiry]).toEqual([false, true]);
  });

  it('renews the leases of long requests', async () => {
    // Arrange
    const a = await replica({ leaseTtlMs: 600 });
    const b = await replica({ leaseTtlMs: 600 });
    expect(await a.tryAcquireAccount('acct', 1)).toBe(true);

    // Act: three lease lifetimes later the slot is still held.
    await sleep(1_800);

    // Assert
    expect(await b.tryAcquireAccount('acct', 1)).toBe(false);
    a.releaseAccount('acct');
    await waitFor(() => b.accountInFlight('acct') === 0, 'the slot released');
    expect(await b.tryAcquireAccount('acct', 1)).toBe(true);
  });

  it('acquires in local mode without a round trip and still registers the lease', async () => {
    // Arrange
    const a = await replica({ accountConcurrency: 'local' });

    // Act
    const granted = a.tryAcquireAccount('acct', 2);

    // Assert
    expect(granted).toBe(true);
    await waitFor(() => a.accountInFlight('acct') === 1, 'the local count');
    expect(await waitForCount(`${prefix}leases:acct`, 1)).toBe(1);
  });

  it("shares rate and quota counters: one replica's usage reaches the other at the next sync", async () => {
    // Arrange
    const [a, b] = [await replica(), await replica()];
    const now = Date.now();

    // Act
    a.addUsage('key:k1', { requests: 1, tokens: 1_000 }, now);
    b.addUsage('key:k1', { requests: 2, tokens: 500 }, now);
    a.addUsage('key:k1', { requests: 0, tokens: -400 }, now);

    // Assert
    const expected = { requestsPerMinute: 3, tokensPerMinute: 1_100, tokensPerDay: 1_100 };
    await waitFor(
      () => [a, b].every((s) => equal(s.usage('key:k1').totals(Date.now()), expected)),
      'both replicas to count 3 requests and 1 100 tokens',
      2_000,
    );
  });

  it('gives every key a TTL and keeps the keyspace bounded', async () => {
    // Arrange
    const [a, b] = [await replica(), await replica()];
    const now = Date.now();

    // Act: a lot of traffic on a few scopes.
    for (let i = 0; i < 500; i++) {
      (i % 2 ? a : b).cooldown(`key:k${i % 5}`, now + 60_000 + i);
      (i % 2 ? a : b).addUsage(`key:k${i % 5}`, { requests: 1, tokens: 10 }, now);
    }
    a.disable('k1', { reason: 'manual', sinceMs: now });
    await a.tryAcquireAccount('acct', 10);
    await sleep(300);

    // Assert
    const keys = await admin.keys(`${prefix}*`);
    const ttls = await Promise.all(keys.map((key) => admin.pttl(key)));
    expect(keys.sort()).toEqual(
      [
        `${prefix}cooldowns`,
        `${prefix}disabled`,
        `${prefix}epoch`,
        `${prefix}leases:acct`,
        ...[0, 1, 2, 3, 4].map((i) => `${prefix}usage:key:k${i}`),
      ].sort(),
    );
    for (const ttl of ttls) expect(ttl).toBeGreaterThan(0);
    expect(await admin.hlen(`${prefix}usage:key:k0`)).toBeLessThanOrEqual(4); // r:, t:, l: of one second and d: of the day
  });

  it('serves on local state while Redis is down, says so once, and reconciles after a restart', async () => {
    // Arrange
    const [a, b] = [await replica(), await replica()];
    const seenByA = changes(a);
    const seenByB = changes(b);
    const untilMs = Date.now() + 60_000;

    // Act: Redis crashes (its data lost); while it is down, replica a learns things.
    const restarting = redis.restart(1_000);
    await waitFor(() => !a.online && !b.online, 'both replicas to notice');
    a.cooldown('key:k1', untilMs);
    a.disable('k2', { reason: 'revoked', sinceMs: 3 });
    const acquired = a.tryAcquireAccount('acct', 1);
    const refused = a.tryAcquireAccount('acct', 1);
    await sleep(300);
    await restarting;
    await Promise.all([a.ready(), b.ready()]);

    // Assert: served locally, no throw.
    expect([await acquired, await refused]).toEqual([true, false]);
    // Said so once each, then recovered.
    expect(seenByA.filter((c) => c.type === 'store-degraded')).toHaveLength(1);
    expect(seenByB.filter((c) => c.type === 'store-degraded')).toHaveLength(1);
    await waitFor(
      () => seenByA.some((c) => c.type === 'store-recovered') && seenByB.some((c) => c.type === 'store-recovered'),
      'both recovered',
    );
    // What a learned during the outage reached Redis and the other replica.
    await waitFor(
      () => b.cooldownUntil('key:k1') === untilMs && b.disabled('k2')?.reason === 'revoked',
      'the other replica to learn it',
    );
    expect(Number(await admin.hget(`${prefix}cooldowns`, 'key:k1'))).toBe(untilMs);
    // The slot taken locally is registered again.
    expect(await waitForCount(`${prefix}leases:acct`, 1)).toBe(1);
  });

  async function waitForCount(key: string, expected: number): Promise<number> {
    let count = -1;
    for (let i = 0; i < 200 && count !== expected; i++) {
      count = await admin.zcard(key);
      if (count !== expected) await sleep(10);
    }
    return count;
  }
});

function equal(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
