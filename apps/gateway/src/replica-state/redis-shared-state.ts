import type { OnApplicationShutdown } from '@nestjs/common';
import { createKeyv } from '@keyv/redis';
import { type Cache, createCache } from 'cache-manager';
import { RedisStateStore } from 'nestjs-deepseek-pool/redis';

/** A cache command slower than this is given up (the answer is simply not cached or not found). */
const CACHE_TIMEOUT_MS = 500;

/**
 * `REDIS_URL`: every replica's pool state in one RedisStateStore (cooldowns, disabled keys, account slots, rate and
 * quota counters) and the degradation cache on the same Redis, so a cached answer serves from any replica.
 * Neither ever fails a request when Redis is down: the store serves on local state and resyncs, the cache misses
 * at once (no offline queue) and reconnects by itself.
 */
export class RedisSharedState implements OnApplicationShutdown {
  readonly store: RedisStateStore;
  readonly cache: Cache;

  constructor(url: string) {
    this.store = new RedisStateStore({ redis: url });
    const keyv = createKeyv(
      {
        url,
        disableOfflineQueue: true,
        socket: {
          connectTimeout: CACHE_TIMEOUT_MS,
          reconnectStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2_000),
        },
      },
      { throwOnConnectError: false, throwOnErrors: false, connectionTimeout: CACHE_TIMEOUT_MS },
    );
    // Keyv reports a lost connection as an error event; the state store already logs the outage once (and
    // deepseek_pool_shared_state_up drops), so the cache stays silent instead of logging every miss.
    keyv.on('error', () => undefined);
    this.cache = createCache({ stores: [keyv] });
  }

  /** Runs after the HTTP server has closed: hands this replica's account slots back at once and closes both clients. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.store.close(), this.cache.disconnect().catch(() => undefined)]);
  }
}
