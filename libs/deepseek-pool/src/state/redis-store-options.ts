import type { Redis, RedisOptions } from 'ioredis';
import { type Clock, systemClock } from '../clock.js';
import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { positiveInteger } from '../options/validation.js';

/**
 * How account in-flight slots are counted across replicas.
 * - `strict`: every acquire is one atomic Redis script (one round trip): the account limit holds exactly.
 * - `local`: acquire against the local view (this replica's slots + the others' as last synced) and register the
 *   lease in the background: no round trip, but replicas may overshoot between syncs.
 */
export type AccountConcurrencyMode = 'strict' | 'local';

/** Options of RedisStateStore: only `redis` is required. */
export interface RedisStateStoreOptions {
  /**
   * The Redis to share state in: an ioredis client (the store opens its own two connections from its settings and
   * never uses or closes yours), ioredis options, or a `redis://` URL.
   */
  redis: Redis | RedisOptions | string;
  /** Prefix of every key and of the pub/sub channel. Default `dsp:`. On Redis Cluster use a hash tag, e.g. `{dsp}:`. */
  prefix?: string;
  /** Default `strict`. */
  accountConcurrency?: AccountConcurrencyMode;
  /**
   * How often counters are flushed and the whole state re-read (changes themselves are pushed at once). Default 500 ms.
   */
  syncIntervalMs?: number;
  /**
   * A replica's account slot lives this long without renewal (a crashed replica's slots free up after it). Default 30
   * 000 ms.
   */
  leaseTtlMs?: number;
  /** A Redis command slower than this counts as Redis being down. Default 500 ms. */
  commandTimeoutMs?: number;
  /** A disable is forgotten by Redis after this long without being set again. Default 7 days. */
  disabledTtlMs?: number;
  /** Time source. Default `Date.now`. */
  clock?: Clock;
}

export interface ResolvedRedisStoreOptions {
  redis: Redis | RedisOptions | string;
  prefix: string;
  accountConcurrency: AccountConcurrencyMode;
  syncIntervalMs: number;
  leaseTtlMs: number;
  commandTimeoutMs: number;
  disabledTtlMs: number;
  clock: Clock;
}

const field = (name: string): string => `RedisStateStore.${name}`;

const isMode = (value: unknown): value is AccountConcurrencyMode => value === 'strict' || value === 'local';

/** Validates the options and applies defaults; errors name the field. */
export function resolveRedisStoreOptions(options: RedisStateStoreOptions): ResolvedRedisStoreOptions {
  // Checked as the untyped values a JavaScript caller may pass.
  const given: unknown = options;
  if (given === null || typeof given !== 'object') throw new InvalidOptionsError(field('options'), 'must be an object');
  const redis: unknown = options.redis;
  if (redis === null || (typeof redis !== 'string' && typeof redis !== 'object')) {
    throw new InvalidOptionsError(field('redis'), 'must be an ioredis client, ioredis options or a redis:// URL');
  }
  const prefix = options.prefix ?? 'dsp:';
  if (typeof prefix !== 'string' || prefix.length === 0 || /\s/.test(prefix))
    throw new InvalidOptionsError(field('prefix'), 'must be a non-empty string without spaces');
  const accountConcurrency: unknown = options.accountConcurrency ?? 'strict';
  if (!isMode(accountConcurrency)) {
    throw new InvalidOptionsError(
      field('accountConcurrency'),
      `must be "strict" or "local" (got ${String(accountConcurrency)})`,
    );
  }
  const leaseTtlMs = positiveInteger(options.leaseTtlMs ?? 30_000, field('leaseTtlMs'));
  if (leaseTtlMs < 300)
    throw new InvalidOptionsError(
      field('leaseTtlMs'),
      'must be at least 300 ms (leases are renewed every third of it)',
    );
  return {
    redis: options.redis,
    prefix,
    accountConcurrency,
    syncIntervalMs: positiveInteger(options.syncIntervalMs ?? 500, field('syncIntervalMs')),
    leaseTtlMs,
    commandTimeoutMs: positiveInteger(options.commandTimeoutMs ?? 500, field('commandTimeoutMs')),
    disabledTtlMs: positiveInteger(options.disabledTtlMs ?? 7 * 86_400_000, field('disabledTtlMs')),
    clock: options.clock ?? systemClock,
  };
}
