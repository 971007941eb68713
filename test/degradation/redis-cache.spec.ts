import { execFileSync } from 'node:child_process';
import { CACHE_MANAGER, type Cache, CacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import { DeepSeekDegradationModule } from 'nestjs-deepseek-pool';
import { useRedisServer } from '../support/redis-server.js';
import { type DegradationApp, startDegradationApp } from './support/degradation-app.js';

// The response cache through @nestjs/cache-manager over Keyv + @keyv/redis, against a real redis-server started here.
// Fails (never skips) when redis-server is missing.

const ask = {
  model: 'deepseek-v4-pro',
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
  temperature: 0,
};
const alice = { authorization: 'Bearer client-alice' };

describe('degradation cache on Redis (cache-manager + Keyv + @keyv/redis)', () => {
  const redis = useRedisServer();
  const apps: DegradationApp[] = [];

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  /** An app whose degradation cache is the app's CacheModule over Redis. */
  function redisBackedApp(): Promise<DegradationApp> {
    return startDegradationApp(
      DeepSeekDegradationModule.forRootAsync({
        imports: [CacheModule.register({ stores: [new KeyvRedis(redis.url)] })],
        inject: [CACHE_MANAGER],
        useFactory: (cache: Cache) => ({ cache, logger: false }),
      }),
    ).then((app) => {
      apps.push(app);
      return app;
    });
  }

  const redisCli = (...args: string[]) =>
    execFileSync('redis-cli', ['-p', String(redis.port), ...args], { encoding: 'utf8' }).trim();

  it('stores a good answer in Redis with the TTL, under a hashed key, and serves it when the pool cannot', async () => {
    const s = await redisBackedApp();
    const fresh = await s.post('/v1/chat/completions', ask, alice);

    const keys = redisCli('--scan').split('\n').filter(Boolean);
    expect(keys).toEqual([expect.stringMatching(/deepseek-pool:degradation:[0-9a-f]{64}$/)]);
    const ttlMs = Number(redisCli('pttl', keys[0]));
    expect(ttlMs).toBeGreaterThan(3_500_000);
    expect(ttlMs).toBeLessThanOrEqual(3_600_000);
    expect(redisCli('get', keys[0])).not.toContain('client-alice');

    s.mock.setKey('pro', { status: 503 });
    s.mock.setKey('flash', { status: 503 });
    const cached = await s.post('/v1/chat/completions', ask, alice);
    expect(cached.headers['x-deepseek-pool-degraded']).toBe('cache');
    expect(cached.json).toEqual(fresh.json);
  });

  it('shares the cache across app instances (replicas), still per tenant', async () => {
    const first = await redisBackedApp();
    const fresh = await first.post(
      '/v1/chat/completions',
      { ...ask, messages: [{ role: 'user', content: 'shared?' }] },
      alice,
    );
    const second = await redisBackedApp();
    second.mock.setKey('pro', { status: 503 });
    second.mock.setKey('flash', { status: 503 });

    const fromReplica = await second.post(
      '/v1/chat/completions',
      { ...ask, messages: [{ role: 'user', content: 'shared?' }] },
      alice,
    );
    const forBob = await second.post(
      '/v1/chat/completions',
      { ...ask, messages: [{ role: 'user', content: 'shared?' }] },
      { authorization: 'Bearer client-bob' },
    );

    expect(fromReplica.headers['x-deepseek-pool-degraded']).toBe('cache');
    expect(fromReplica.json).toEqual(fresh.json);
    expect(forBob.headers['x-deepseek-pool-degraded']).toBe('fallback');
  });
});
