import { HealthIndicatorService } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { poolApp, twoKeys } from '../pool-app.fixture.js';
import type { PoolCore } from '../core/pool-core.js';
import { POOL_CORE } from '../core/pool-core.token.js';
import type { PoolKeys } from '../core/pool-keys.js';
import { DeepSeekPoolAdmin } from '../deepseek-pool.admin.js';
import { ProbeUpstream } from './probing/probe-upstream.fixture.js';
import { DeepSeekPoolHealthModule } from './deepseek-pool-health.module.js';
import { DeepSeekPoolHealthIndicator } from './deepseek-pool.health.js';

const A = 'sk-indicatorkeyaaaaaa0001';
const B = 'sk-indicatorkeybbbbbb0002';

describe('DeepSeekPoolHealthIndicator', () => {
  let moduleRef: TestingModule;
  let indicator: DeepSeekPoolHealthIndicator;
  let admin: DeepSeekPoolAdmin;
  let keys: PoolKeys;
  let upstream: ProbeUpstream;

  beforeEach(async () => {
    upstream = new ProbeUpstream();
    const [a, b] = twoKeys(A, B);
    moduleRef = await poolApp({ keys: [{ ...a, account: 'team' }, b], transport: upstream }, [
      DeepSeekPoolHealthModule,
    ]).compile();
    indicator = moduleRef.get(DeepSeekPoolHealthIndicator);
    admin = moduleRef.get(DeepSeekPoolAdmin);
    keys = moduleRef.get<PoolCore>(POOL_CORE).keys;
  });

  afterEach(() => moduleRef.close());

  it('is up with per-key details by id and masked key, under the default key', () => {
    expect(indicator.isHealthy()).toEqual({
      'deepseek-pool': {
        status: 'up',
        servingKeys: 2,
        totalKeys: 2,
        minHealthyKeys: 1,
        keys: {
          a: {
            maskedKey: 'sk-...0001',
            account: 'team',
            state: 'ready',
            breaker: 'closed',
            latencyEwmaMs: 0,
            errorRate: 0,
            inFlight: 0,
          },
          b: {
            maskedKey: 'sk-...0002',
            account: 'b',
            state: 'ready',
            breaker: 'closed',
            latencyEwmaMs: 0,
            errorRate: 0,
            inFlight: 0,
          },
        },
      },
    });
  });

  it('is degraded while some keys are out, down when none can serve', () => {
    admin.disableKey('a', 'revoked');
    expect(indicator.isHealthy('llm')).toMatchObject({
      llm: { status: 'degraded', servingKeys: 1, keys: { a: { state: 'disabled', disabledReason: 'revoked' } } },
    });
    keys.markKeyDown('b');
    expect(indicator.isHealthy('llm')).toMatchObject({
      llm: { status: 'down', servingKeys: 0, keys: { b: { state: 'open', breaker: 'open' } } },
    });
  });

  it('is down below minHealthyKeys', () => {
    admin.disableKey('a', 'manual');
    expect(indicator.isHealthy('deepseek-pool', { minHealthyKeys: 2 })['deepseek-pool'].status).toBe('down');
    expect(() => indicator.isHealthy('deepseek-pool', { minHealthyKeys: 0 })).toThrow(/minHealthyKeys/);
  });

  it('reads state only: no upstream call, and no secret in its output', () => {
    admin.disableKey('b', 'insufficient-balance');
    const output = JSON.stringify([indicator.isHealthy(), indicator.isHealthy('x', { minHealthyKeys: 2 })]);
    expect(upstream.calls).toHaveLength(0);
    expect(output).not.toContain(A);
    expect(output).not.toContain(B);
  });

  it('explains what is missing when the app has no pool', async () => {
    const bare = await Test.createTestingModule({ imports: [DeepSeekPoolHealthModule] }).compile();
    expect(() => bare.get(DeepSeekPoolHealthIndicator).isHealthy()).toThrow(/needs DeepSeekPoolModule/);
    await bare.close();
  });

  it('reports a degraded pool as up with degraded: true on terminus 11, whose sessions have no degraded()', async () => {
    /** terminus 11's HealthIndicatorService: sessions with up() and down() only. */
    const terminus11 = {
      check: (key: string) => ({
        up: (data: object) => ({ [key]: { status: 'up', ...data } }),
        down: (data: object) => ({ [key]: { status: 'down', ...data } }),
      }),
    };
    const moduleRef11 = await poolApp({ keys: twoKeys(A, B), transport: upstream }, [DeepSeekPoolHealthModule])
      .overrideProvider(HealthIndicatorService)
      .useValue(terminus11)
      .compile();
    const indicator11 = moduleRef11.get(DeepSeekPoolHealthIndicator);
    expect(indicator11.isHealthy()['deepseek-pool']).toMatchObject({ status: 'up', servingKeys: 2 });
    expect(indicator11.isHealthy()['deepseek-pool']).not.toHaveProperty('degraded');
    moduleRef11.get(DeepSeekPoolAdmin).disableKey('a', 'revoked');
    expect(indicator11.isHealthy()['deepseek-pool']).toMatchObject({ status: 'up', degraded: true, servingKeys: 1 });
    moduleRef11.get<PoolCore>(POOL_CORE).keys.markKeyDown('b');
    expect(indicator11.isHealthy()['deepseek-pool']).toMatchObject({ status: 'down', servingKeys: 0 });
    expect(indicator11.isHealthy()['deepseek-pool']).not.toHaveProperty('degraded');
    await moduleRef11.close();
  });
});
