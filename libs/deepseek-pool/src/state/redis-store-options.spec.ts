import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { type RedisStateStoreOptions, resolveRedisStoreOptions } from './redis-store-options.js';

describe('resolveRedisStoreOptions', () => {
  it('applies every default', () => {
    expect(resolveRedisStoreOptions({ redis: 'redis://127.0.0.1:6379' })).toMatchObject({
      redis: 'redis://127.0.0.1:6379',
      prefix: 'dsp:',
      accountConcurrency: 'strict',
      syncIntervalMs: 500,
      leaseTtlMs: 30_000,
      commandTimeoutMs: 500,
      disabledTtlMs: 7 * 86_400_000,
    });
  });

  it.each<[string, unknown, string]>([
    ['no options', null, 'RedisStateStore.options'],
    ['no redis', {}, 'RedisStateStore.redis'],
    ['a numeric redis', { redis: 6379 }, 'RedisStateStore.redis'],
    ['an empty prefix', { redis: 'redis://x', prefix: '' }, 'RedisStateStore.prefix'],
    ['a prefix with a space', { redis: 'redis://x', prefix: 'a b' }, 'RedisStateStore.prefix'],
    ['an unknown mode', { redis: 'redis://x', accountConcurrency: 'loose' }, 'RedisStateStore.accountConcurrency'],
    ['a lease TTL under 300 ms', { redis: 'redis://x', leaseTtlMs: 299 }, 'RedisStateStore.leaseTtlMs'],
    ['a zero sync interval', { redis: 'redis://x', syncIntervalMs: 0 }, 'RedisStateStore.syncIntervalMs'],
  ])('rejects %s, naming the field', (_name, options, field) => {
    const attempt = (): unknown => resolveRedisStoreOptions(options as RedisStateStoreOptions);
    expect(attempt).toThrow(InvalidOptionsError);
    expect(attempt).toThrow(expect.objectContaining({ field }) as Error);
  });

  it.each<[string, RedisStateStoreOptions['redis']]>([
    ['a URL', 'redis://127.0.0.1:6379'],
    ['ioredis options', { host: '127.0.0.1', port: 6379 }],
  ])('accepts %s', (_name, redis) => {
    expect(resolveRedisStoreOptions({ redis, accountConcurrency: 'local' })).toMatchObject({
      redis,
      accountConcurrency: 'local',
    });
  });
});
